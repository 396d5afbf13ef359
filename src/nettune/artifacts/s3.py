"""S3Store: trial bundles in S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, ...) through boto3.

Credentials come from the environment the way boto3 finds them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
AWS_PROFILE, an instance role, ...); they are never part of a job or a config file. `endpoint_url` selects a
non-AWS service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from nettune.artifacts.store import check_key
from nettune.errors import ConfigError, NettuneError


def parse_s3_url(url: str) -> tuple[str, str]:
    """("bucket", "prefix") from "s3://bucket/prefix" (the prefix may be empty)."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ConfigError(f"artifact store {url!r} is not an S3 URL; use s3://bucket or s3://bucket/prefix")
    prefix = parsed.path.strip("/")
    if prefix:
        check_key(prefix)
    return parsed.netloc, prefix


class S3Store:
    """put/get of files under `prefix` in `bucket`; keys are checked like every ArtifactStore's."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None) -> None:
        self.bucket, self.prefix, self.endpoint_url = bucket, prefix.strip("/"), endpoint_url
        self._client = client

    @classmethod
    def from_url(cls, url: str, endpoint_url: str | None = None) -> S3Store:
        bucket, prefix = parse_s3_url(url)
        return cls(bucket, prefix, endpoint_url)

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # imported on first use: local studies never pay for it

            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def object_key(self, key: str) -> str:
        rel = check_key(key).as_posix()
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.object_key(key)}"

    def put(self, key: str, path: Path) -> None:
        self._call("upload", key, lambda k: self.client.upload_file(str(path), self.bucket, k))

    def get(self, key: str, dest: Path) -> Path:
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".partial")
        self._call("download", key, lambda k: self.client.download_file(self.bucket, k, str(tmp)))
        tmp.replace(dest)
        return dest

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._error("look up", key, exc) from exc
        return True

    def _call(self, verb: str, key: str, action: Any) -> None:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        object_key = self.object_key(key)
        try:
            action(object_key)
        except (BotoCoreError, ClientError, S3UploadFailedError, OSError) as exc:
            raise self._error(verb, key, exc) from exc

    def _error(self, verb: str, key: str, exc: Exception) -> NettuneError:
        from botocore.exceptions import NoCredentialsError

        where = f"s3://{self.bucket}/{self.object_key(key)}" + (f" at {self.endpoint_url}" if self.endpoint_url else "")
        if isinstance(exc, NoCredentialsError):
            return NettuneError(f"cannot {verb} {where}: no S3 credentials; set AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
        detail = (str(exc).splitlines() or [type(exc).__name__])[0]
        return NettuneError(f"cannot {verb} {where}: {detail}")
