import asyncio
import sys

from .bot import run

if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
