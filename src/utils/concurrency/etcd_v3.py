"""One etcd member through the v3 API (`--lock_api v3`), over etcd's JSON gateway with etcd3gw.

etcd 3.6 dropped the v2 API python-etcd speaks; v3 is served by every etcd 3.x. etcd3gw was chosen over the
gRPC clients (etcd-sdk-python, aetcd) because it needs no gRPC/protobuf stack, speaks HTTP like the v2 client
(the same connect/read timeouts and failure classes), and is maintained (OpenStack). Its session and URL
helpers are used; the transactions are built here, so each answer's revision is kept as the fencing token.

The recipe: a key lives on its own lease (TTL = the lock's); create is a transaction on `create_revision == 0`;
refresh is a lease keep-alive (TTL gone: `KeyMissing`); compare-and-swap and compare-and-delete compare the
value. Ranges are linearizable (quorum) reads, etcd's default. Every call is bounded by `timeout`, never retried.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import requests
from etcd3gw import exceptions as gateway_errors
from etcd3gw.client import Etcd3Client
from requests.adapters import HTTPAdapter

from src.utils.concurrency.etcd_member import Grant, KeyMissing, KeyState, KeyTaken, MemberFailure


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _text(encoded: str) -> str:
    return base64.b64decode(encoded).decode()


class EtcdV3Member:
    """`EtcdMember` over the v3 JSON gateway (`/v3/...`, etcd >= 3.4)."""

    def __init__(self, host: str, port: int, timeout: float, pool_size: int = 10) -> None:
        self.address = f"{host}:{port}"
        self._timeout = timeout
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        session.mount("http://", adapter)
        self._client = Etcd3Client(host=host, port=port, timeout=timeout, api_path="/v3/", session=session)

    def create(self, key: str, value: str, ttl: int) -> Grant:
        lease = self._grant(ttl)
        answer = self._txn([_compare_created(key, 0)], [_put(key, value, lease)])
        if not answer.get("succeeded"):
            self._revoke(lease)
            raise KeyTaken(_revision(answer))
        return Grant(_revision(answer), lease)

    def refresh(self, key: str, value: str, ttl: int, lease: int | None) -> None:
        if lease is None:
            raise KeyMissing(f"{key} has no lease")
        answer = self._post("/lease/keepalive", {"ID": lease})
        if int(answer.get("result", {}).get("TTL", -1)) <= 0:
            raise KeyMissing(f"the lease of {key} expired")

    def replace(self, key: str, old: str, new: str, ttl: int, lease: int | None) -> Grant:
        fresh = self._grant(ttl)  # the key moves to a lease of the new TTL; the old one expires on its own
        answer = self._txn([_compare_value(key, old)], [_put(key, new, fresh)])
        if not answer.get("succeeded"):
            self._revoke(fresh)
            raise KeyMissing(f"{key} no longer holds the expected value")
        if lease is not None:
            self._revoke(lease)
        return Grant(_revision(answer), fresh)

    def delete(self, key: str, value: str, lease: int | None) -> None:
        if lease is not None:
            # The lease is this holder's alone, and revoking it deletes exactly the keys attached to it: one
            # write instead of a compare-and-delete plus a revoke. A key that expired (and maybe went to someone
            # else, on their own lease) is left alone; etcd answers that the lease is not found.
            try:
                self._post("/lease/revoke", {"ID": lease})
            except MemberFailure as failure:
                if "lease not found" in str(failure):
                    raise KeyMissing(f"the lease of {key} expired") from None
                raise
            return
        answer = self._txn([_compare_value(key, value)], [{"request_delete_range": {"key": _b64(key)}}])
        if not answer.get("succeeded"):
            raise KeyMissing(f"{key} no longer holds the expected value")

    def read(self, key: str) -> KeyState | None:
        states = self._range({"key": _b64(key)})
        return states.get(key)

    def read_prefix(self, prefix: str) -> dict[str, KeyState]:
        start = prefix.rstrip("/") + "/"
        return self._range({"key": _b64(start), "range_end": _b64(start[:-1] + chr(ord("/") + 1))})

    def watch(self, key: str, after: int, seconds: float) -> None:
        body: dict[str, Any] = {"create_request": {"key": _b64(key), "start_revision": after}}
        with self._failures():
            response = self._client.session.post(self._client.get_url("/watch"), json=body, stream=True,
                                                 timeout=(self._timeout, seconds))
        # Any outcome from here means: look again (an event, a cancel, nothing within `seconds`, a broken stream).
        with response, contextlib.suppress(requests.RequestException, ValueError):
            for line in response.iter_lines():
                result = json.loads(line).get("result", {}) if line else {}
                if result.get("events") or result.get("canceled"):
                    return

    def check(self, key: str) -> None:
        self._range({"key": _b64(key), "limit": 1})

    def close(self) -> None:
        self._client.session.close()

    # ---- the gateway ----------------------------------------------------------------------------------------

    def _grant(self, ttl: int) -> int:
        return int(self._post("/lease/grant", {"TTL": ttl})["ID"])

    def _revoke(self, lease: int) -> None:
        # Best effort: a lease nobody refreshes expires by itself.
        with contextlib.suppress(MemberFailure):
            self._post("/lease/revoke", {"ID": lease})

    def _txn(self, compare: list[dict[str, Any]], success: list[dict[str, Any]]) -> dict[str, Any]:
        return self._post("/kv/txn", {"compare": compare, "success": success, "failure": []})

    def _range(self, request: dict[str, Any]) -> dict[str, KeyState]:
        answer = self._post("/kv/range", request)
        return {_text(kv["key"]): KeyState(_text(kv.get("value", "")), int(kv.get("mod_revision", 0)),
                                           int(kv["lease"]) if kv.get("lease") else None)
                for kv in answer.get("kvs", [])}

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._failures():
            answer = self._client.post(self._client.get_url(path), json=body)
        return answer if isinstance(answer, dict) else {}

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except gateway_errors.ConnectionFailedError as error:
            refused = "refused" in str(error) or "NewConnectionError" in str(error)
            raise MemberFailure(f"{self.address}: cannot connect or unavailable ({_short(error)})",
                                uncertain=not refused) from None
        except gateway_errors.ConnectionTimeoutError:
            raise MemberFailure(f"{self.address}: no answer within the timeout", uncertain=True) from None
        except (gateway_errors.Etcd3Exception, requests.RequestException, ValueError) as error:
            raise MemberFailure(f"{self.address}: {_short(error)}", uncertain=True) from None


def _compare_created(key: str, revision: int) -> dict[str, Any]:
    return {"key": _b64(key), "result": "EQUAL", "target": "CREATE", "create_revision": revision}


def _compare_value(key: str, value: str) -> dict[str, Any]:
    return {"key": _b64(key), "result": "EQUAL", "target": "VALUE", "value": _b64(value)}


def _put(key: str, value: str, lease: int) -> dict[str, Any]:
    return {"request_put": {"key": _b64(key), "value": _b64(value), "lease": lease}}


def _revision(answer: dict[str, Any]) -> int:
    return int(answer.get("header", {}).get("revision", 0))


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    detail = getattr(error, "detail_text", None)  # etcd3gw keeps the answer's body here (etcd's own message)
    if detail:
        text = f"{text}: {detail}"
    return text if len(text) <= 200 else text[:200] + "..."
