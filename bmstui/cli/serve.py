"""`bmstui serve`: the online channel's HTTP server (bmstui/api) on uvicorn.

The server holds nothing but its database pool, so several processes (``--workers``) or
machines can serve one database. Every worker reads the same settings: the resolved database
URL is handed down in the environment, as a shell would.
"""

from __future__ import annotations

import os

from bmstui.cli.registry import EXIT_SETUP, command
from bmstui.config import get_settings, mask_url

MISSING = ("The online channel needs its extra packages: pip install 'bmstui[api]' "
           "(or pip install -e '.[api]' in a checkout)")


def add_parser(sub, common) -> None:
    serve = sub.add_parser("serve", parents=[common],
                           help="serve the REST API for online sales (bmstui[api])")
    serve.add_argument("--host", help="address to listen on (api.host: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (api.port: 8000)")
    serve.add_argument("--workers", type=int, help="server processes (api.workers: 1)")


@command("serve")
def serve(args) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        print(MISSING)
        return EXIT_SETUP
    settings = get_settings()
    host = args.host or settings.api_host
    port = settings.api_port if args.port is None else args.port
    workers = settings.api_workers if args.workers is None else args.workers
    if not 1 <= workers <= 64 or not 0 < port < 65536:
        print("--workers takes 1 to 64 and --port 1 to 65535")
        return EXIT_SETUP
    os.environ["BMSTUI_DATABASE_URL"] = settings.resolved_database_url
    if getattr(args, "config", None):  # every worker reads the same file
        os.environ["BMSTUI_CONFIG"] = str(args.config)
    print(f"Serving the API on http://{host}:{port}/api/v1 "
          f"(docs at /docs) on {mask_url(settings.resolved_database_url)}")
    uvicorn.run("bmstui.api:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", proxy_headers=False)
    return 0
