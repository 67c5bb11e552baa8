"""Services shares one catalog and one HTTP client, however many threads ask at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from backend.services import Services


def test_one_catalog_and_one_client_for_every_caller() -> None:
    services = Services({})
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            catalogs = list(pool.map(lambda _: services.catalog(), range(16)))
            clients = list(pool.map(lambda _: services.http_client(), range(16)))
        assert all(c is catalogs[0] for c in catalogs)
        assert all(c is clients[0] for c in clients)
        assert services.catalog() is catalogs[0]
    finally:
        services.close()
    # Closed: the next call opens a new client rather than handing out the closed one.
    assert services.http_client() is not clients[0]
    services.close()
