"""The database becomes unreachable: /healthz is 503, the API answers 503 in the one error shape
(JSON, never an HTML 500), and the app recovers by itself when the database is back."""

import socket
import threading
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

UNAVAILABLE = {
    "detail": "A service this request needs is unavailable; try again shortly.",
    "code": "service_unavailable",
}


@pytest.mark.django_db
def test_a_failing_cursor_is_a_json_503_not_an_html_500(auth_client):
    ScenarioFactory()
    url = reverse("api:scenario-list")
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server closed")
    ):
        response = auth_client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == UNAVAILABLE
    assert auth_client.get(url).status_code == 200


@pytest.mark.django_db
def test_views_outside_the_api_answer_503_too(admin_client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server closed")
    ):
        response = admin_client.get("/admin/scenarios/scenario/")
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


def assert_unavailable_then_served(client, url, *, down, up):
    """While the database is down the API and /healthz answer 503 in the error shape; once it is
    up again the same client is served (one scenario listed) with no restart."""
    down()
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["database"]["ok"] is False

    up()
    assert client.get("/healthz").status_code == 200
    recovered = client.get(url)
    assert recovered.status_code == 200
    assert recovered.json()["count"] == 1


class TcpGate:
    """A loopback TCP proxy to the test database that can cut every connection and refuse new
    ones (the database "down") and then let them through again ("back")."""

    def __init__(self, host, port):
        self.target = (host, int(port))
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.sockets = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def down(self):
        self.open = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets.clear()

    def up(self):
        self.open = True

    def close(self):
        self.down()
        self.listener.close()


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_while_the_database_is_cut_off_and_recovers_by_itself():
    user = UserFactory()
    ScenarioFactory()
    client = client_for(user)
    url = reverse("api:scenario-list")
    settings_dict = connection.settings_dict
    original = (settings_dict["HOST"], settings_dict["PORT"])
    gate = TcpGate(settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"])
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", gate.port
    try:
        assert client.get(url).status_code == 200
        assert client.get("/healthz").status_code == 200

        assert_unavailable_then_served(client, url, down=gate.down, up=gate.up)
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original
        gate.close()


@pytest.mark.django_db(transaction=True)
def test_the_database_server_stopped_and_started_again(postgres_server):
    """A real PostgreSQL server stopped by its operator (pg_ctl stop -m fast) and started again:
    503 in the error shape meanwhile, the same client served again afterwards without a restart."""
    postgres_server.copy_database(connection.settings_dict)
    settings_dict = connection.settings_dict
    original = {key: settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    connection.close()
    settings_dict.update({"HOST": "127.0.0.1", "PORT": str(postgres_server.port), "NAME": "coach"})
    try:
        user = UserFactory()
        ScenarioFactory()
        client = client_for(user)
        url = reverse("api:scenario-list")
        assert client.get(url).json()["count"] == 1
        assert_unavailable_then_served(client, url, down=postgres_server.stop, up=postgres_server.start)
    finally:
        connection.close()
        settings_dict.update(original)
