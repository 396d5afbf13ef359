"""A self-hosted serverless endpoint speaking RunPod's REST protocol, for one's own GPU machines.

    nettune worker serve --host 127.0.0.1 --port 8001 --concurrency 2

Jobs wait in a queue (jobs.py) and run in N worker processes (pool.py) that call the same handler a RunPod
worker runs (nettune.worker.handler); app.py maps RunPod's operations onto them.
"""

from nettune.endpoint.server import EndpointServer

__all__ = ["EndpointServer"]
