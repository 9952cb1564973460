"""One module per test-bed component; `all_components` lists what `testbed up` starts, in start
order; `optional_components` lists what only the tests that need it start (testbed/optional.py)."""

from __future__ import annotations

from onex_operator.testbed.components.base import ProtocolComponent, TestbedContext
from onex_operator.testbed.components.consul import ConsulComponent
from onex_operator.testbed.components.etcd import EtcdComponent
from onex_operator.testbed.components.kafka import KafkaComponent
from onex_operator.testbed.components.kube import KubeApiserverComponent, KubeControllerManagerComponent
from onex_operator.testbed.components.openbao import OpenBaoComponent
from onex_operator.testbed.components.postgres import PostgresComponent
from onex_operator.testbed.components.tansu import TansuComponent


def all_components(context: TestbedContext) -> list[ProtocolComponent]:
    return [
        EtcdComponent(context),
        KubeApiserverComponent(context),
        KubeControllerManagerComponent(context),
        KafkaComponent(context),
        ConsulComponent(context),
        OpenBaoComponent(context),
        PostgresComponent(context),
    ]


def optional_components(context: TestbedContext) -> list[ProtocolComponent]:
    return [TansuComponent(context)]
