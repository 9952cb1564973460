"""The operator's one HTTP port: probes, Prometheus metrics and the health of nodes and services."""

from __future__ import annotations

from aiohttp import web

from onex_operator.runtime.health import HealthRegistry
from onex_operator.runtime.metrics import OperatorMetrics


class HttpHub:
    def __init__(
        self,
        metrics: OperatorMetrics,
        health: HealthRegistry,
        # A pod's probes and Prometheus reach it from outside the pod.
        host: str = "0.0.0.0",  # noqa: S104
        port: int = 8080,
    ) -> None:
        self.metrics = metrics
        self.health = health
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/nodes", self._nodes)
        app.router.add_get("/services", self._services)
        return app

    async def start(self) -> None:
        # Probes and scrapes arrive every few seconds; logging each would drown the operator's log.
        runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        # With port 0 the kernel chose the port; callers read it here.
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, _: web.Request) -> web.Response:
        ready, reason = self.health.readiness
        if ready:
            return web.Response(text="ok")
        return web.Response(status=503, text=reason or "not ready")

    async def _metrics(self, _: web.Request) -> web.Response:
        body, content_type = self.metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _nodes(self, _: web.Request) -> web.Response:
        return web.json_response([node.model_dump(mode="json") for node in self.health.snapshot_nodes()])

    async def _services(self, _: web.Request) -> web.Response:
        services = self.health.snapshot_services()
        return web.json_response([service.model_dump(mode="json") for service in services])
