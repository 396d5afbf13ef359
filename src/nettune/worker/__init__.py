"""A remote worker: runs exactly one trial per job (RunPod serverless or the self-hosted endpoint).

    python -m nettune.worker        # under RunPod's SDK (runpod.serverless.start)

The handler lives in nettune.worker.handler, the job input schema in nettune.worker.schema.
"""
