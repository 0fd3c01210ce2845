"""Where signing meets aiohttp: body encoding and the per-request signing middleware."""
