"""Recording exchange feeds to a file and replaying them into DataStores (docs: Record and replay).

``Recorder`` is a WebSocket handler that writes every received frame; ``replay`` reads a
recording back as ``Frame`` and ``Marker`` records; ``replay_into`` feeds one to a
DataStoreCollection as the live connection did. The format is described in ``.format``.
"""

from ..errors import RecordingError
from .format import FORMAT_VERSION, NOT_PARSED, Frame, Marker, Record, read_records
from .recorder import Recorder
from .replay import ReplayStats, parse_speed, replay, replay_into

__all__ = [
    "FORMAT_VERSION",
    "NOT_PARSED",
    "Frame",
    "Marker",
    "Record",
    "Recorder",
    "RecordingError",
    "ReplayStats",
    "parse_speed",
    "read_records",
    "replay",
    "replay_into",
]
