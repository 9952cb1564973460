"""kopf's credentials from the same configuration the operator's own client uses.

kopf's bundled `login_via_client` reads the kubeconfig path the client library computed at import
time, so a KUBECONFIG set later (the demo sets it) would be ignored; this reads it at login time.
"""

from __future__ import annotations

import kopf

from onex_operator.kube.api import load_client_configuration


def login(**_kwargs: object) -> kopf.ConnectionInfo:
    configuration = load_client_configuration()
    header = configuration.get_api_key_with_prefix("BearerToken") or configuration.get_api_key_with_prefix(
        "authorization"
    )
    scheme, _space, token = (header or "").rpartition(" ")
    return kopf.ConnectionInfo(
        server=configuration.host,
        ca_path=configuration.ssl_ca_cert,
        insecure=not configuration.verify_ssl,
        scheme=scheme or None,
        token=token or None,
        certificate_path=configuration.cert_file,
        private_key_path=configuration.key_file,
    )
