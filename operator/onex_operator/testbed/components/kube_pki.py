"""Certificates, keys, the admin token file and the kubeconfig of the test-bed's control plane.

A private CA signs the apiserver's serving certificate (so clients verify TLS for real) and a
separate RSA key signs service-account tokens. Files are made once and reused while the data lives.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import yaml

from onex_operator.testbed.errors import TestbedError

ADMIN_USER = "onex-testbed-admin"


class KubePki:
    def __init__(self, directory: Path, apiserver_port: int, admin_token: str) -> None:
        self.directory = directory
        self._apiserver_port = apiserver_port
        self._admin_token = admin_token

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def serving_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def serving_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def service_account_key(self) -> Path:
        return self.directory / "service-account.key"

    @property
    def service_account_public_key(self) -> Path:
        return self.directory / "service-account.pub"

    @property
    def token_file(self) -> Path:
        return self.directory / "tokens.csv"

    @property
    def kubeconfig(self) -> Path:
        return self.directory.parent / "kubeconfig"

    @property
    def server_url(self) -> str:
        return f"https://127.0.0.1:{self._apiserver_port}"

    def ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.ca_cert.exists():
            self._openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "3650",
                "-keyout",
                str(self.ca_key),
                "-out",
                str(self.ca_cert),
                "-subj",
                "/CN=onex-testbed-ca",
            )
        if not self.serving_cert.exists():
            request = self.directory / "apiserver.csr"
            extensions = self.directory / "apiserver.ext"
            extensions.write_text(
                "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
                "DNS:kubernetes.default.svc,IP:10.0.0.1\n"
                "extendedKeyUsage=serverAuth\n"
            )
            self._openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                str(self.serving_key),
                "-out",
                str(request),
                "-subj",
                "/CN=kube-apiserver",
            )
            self._openssl(
                "x509",
                "-req",
                "-in",
                str(request),
                "-CA",
                str(self.ca_cert),
                "-CAkey",
                str(self.ca_key),
                "-CAcreateserial",
                "-days",
                "3650",
                "-extfile",
                str(extensions),
                "-out",
                str(self.serving_cert),
            )
        if not self.service_account_key.exists():
            self._openssl("genrsa", "-out", str(self.service_account_key), "2048")
            self._openssl(
                "rsa",
                "-in",
                str(self.service_account_key),
                "-pubout",
                "-out",
                str(self.service_account_public_key),
            )
        for secret_file in (self.ca_key, self.serving_key, self.service_account_key):
            secret_file.chmod(0o600)
        self._write_private(
            self.token_file, f'{self._admin_token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n'
        )
        self._write_private(self.kubeconfig, yaml.safe_dump(self._kubeconfig_document(), sort_keys=False))

    def _kubeconfig_document(self) -> dict[str, object]:
        authority = base64.b64encode(self.ca_cert.read_bytes()).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "onex-testbed",
                    "cluster": {"server": self.server_url, "certificate-authority-data": authority},
                }
            ],
            "users": [{"name": ADMIN_USER, "user": {"token": self._admin_token}}],
            "contexts": [
                {
                    "name": "onex-testbed",
                    "context": {"cluster": "onex-testbed", "user": ADMIN_USER, "namespace": "default"},
                }
            ],
            "current-context": "onex-testbed",
        }

    @staticmethod
    def _write_private(path: Path, content: str) -> None:
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(content)

    def _openssl(self, *arguments: str) -> None:
        result = subprocess.run(["openssl", *arguments], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise TestbedError("kube-apiserver", f"openssl {arguments[0]} failed: {result.stderr.strip()}")
