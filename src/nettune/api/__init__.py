"""The REST + WebSocket API behind `nettune serve`: create_app(settings) builds it."""
