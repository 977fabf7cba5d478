"""The MQTT client every hallq process uses: hub bridge, kiosk, pad, display, CLI tools.

paho-mqtt runs its network loop in its own thread. This wrapper adds what hallq needs:

* connect by URL (``mqtt://user:pass@host:port``; ``?v=5`` for MQTT 5; ``mqtts://…`` for TLS,
  with ``?ca=/path/hall-ca.crt`` to trust the hall's own CA instead of the system's, and
  ``&cert=…&key=…`` for a client certificate), reconnect with
  backoff forever, and on *every* (re)connect: re-subscribe, re-publish our retained
  presence "online" (the last will says "offline");
* a cache of retained state by topic, with listeners called on the paho thread (Qt
  views hand these over with queued signals);
* request/response over the hub's command topic with a client-made request id, a
  timeout, and retries that reuse the id, so a retry never does the work twice;
* the hub's heartbeat: a client that listens to ``presence/hub`` and hears nothing on it for
  ``hub_silent_s`` (:data:`hallq.protocol.HUB_SILENT_S`) gets ``{"online": false, "silent":
  true}`` there, as if the hub had gone offline: a hub whose worker hangs while its MQTT
  connection lives shows offline on every screen;
* several brokers (``mqtt://…@hub-a:1883,hub-b:1883``, a standby hub's machine): a broker that
  cannot be reached, or on which no hub answers for ``hop_after_s``, is left for the next one
  (docs/protocol.md §1); a hub never moves;
* the hub's epoch (fencing token, docs/protocol.md §3): the highest one seen is kept
  (:attr:`HallClient.hub_epoch`), and a reply or hub message stamped with an older one is dropped
  (logged, code ``stale_epoch``): a request whose only reply was stale is retried with its id.

Why this file is long (~640 lines): it is one connection's whole life — paho's callbacks, the
handshake watchdog, the hub's heartbeat, requests and moving between brokers share its locks
(``_life``, ``_gate``, ``_restarting``) and its state; split across files, the locking rules would
be too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import paho.mqtt.client as mqtt

from hallq import clock as hallclock
from hallq import protocol as p

log = logging.getLogger("hallq.client")

Listener = Callable[[str, Any], None]
Unsubscribe = Callable[[], None]

STAGE_TCP = "TCP connected, no CONNACK from the broker"
STAGE_CONNACK = "connected (CONNACK), subscriptions not acknowledged (no SUBACK)"
HANDSHAKE_WAIT_S = 4.0  # TCP open → CONNACK → SUBACK; a broker that has not finished by then is stuck
HOP_AFTER_S = 8.0  # with several brokers: this long connected without a hub answering there → the next broker


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    version: int = 4  # 4: MQTT 3.1.1, 5: MQTT 5
    tls: bool = False
    ca: str | None = None  # CA file to trust (default: the system's CAs)
    cert: str | None = None  # client certificate and key, if the broker asks for one
    key: str | None = None
    # Further brokers of the same hall (a standby hub's machine), tried in turn: same logins, CA and
    # version. Written ``mqtt://user:pw@hub-a:1883,hub-b:1883`` (docs/protocol.md §2).
    others: tuple[tuple[str, int], ...] = ()

    @property
    def endpoints(self) -> tuple[tuple[str, int], ...]:
        return ((self.host, self.port), *self.others)

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        url = url if "://" in url else f"mqtt://{url}"
        scheme, _, rest = url.partition("://")
        cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        userinfo, at, hosts = rest[:cut].rpartition("@")
        first, *more = hosts.split(",")
        main = cls._parse_one(f"{scheme}://{userinfo}{at}{first}{rest[cut:]}", url)
        others: list[tuple[str, int]] = []
        for h in more:
            o = urlparse(f"//{h}")
            try:
                port = o.port
            except ValueError:
                port = -1
            if not o.hostname or port == -1 or "@" in h:
                raise ValueError(f"broker URL lists a host that is not host[:port]: {h!r} in {main!r}")
            others.append((o.hostname, port or main.port))
        return dataclasses.replace(main, others=tuple(others))

    @classmethod
    def _parse_one(cls, url: str, whole: str) -> BrokerAddress:
        u = urlparse(url)
        if u.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError(f"broker URL must start with mqtt:// or mqtts:// (got {u.scheme}://)")
        if not u.hostname:
            raise ValueError("broker URL has no host" + (" (before the first comma)" if "," in whole else ""))
        query = parse_qs(u.query)
        version = int(query.get("v", ["4"])[0].replace("3.1.1", "4"))
        if version not in (4, 5):
            raise ValueError(f"MQTT version must be 4 (3.1.1) or 5, got {version}")
        tls = u.scheme == "mqtts"
        files = {k: query[k][0] for k in ("ca", "cert", "key") if query.get(k)}
        if files and not tls:
            raise ValueError(f"ca/cert/key need an mqtts:// URL (got {u.scheme}://)")
        return cls(u.hostname, u.port or (8883 if tls else 1883), unquote(u.username) if u.username else None,
                   unquote(u.password) if u.password else None, version, tls, files.get("ca"), files.get("cert"),
                   files.get("key"))

    def configure(self, client: mqtt.Client) -> None:
        """Credentials and TLS on a paho client (certificate and host name are always verified)."""
        if self.username:
            client.username_pw_set(self.username, self.password)
        if self.tls:
            client.tls_set(ca_certs=self.ca, certfile=self.cert, keyfile=self.key)

    def __repr__(self) -> str:  # never print the password
        hosts = ",".join(f"{h}:{p}" for h, p in self.endpoints)
        return f"BrokerAddress({'mqtts' if self.tls else 'mqtt'}://{self.username or ''}@{hosts})"


class RequestError(Exception):
    """The hub refused a request; ``code`` is stable (see docs/protocol.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class RequestTimeout(RequestError):
    def __init__(self, op: str, waited: float) -> None:
        super().__init__("timeout", f"hub 未在 {waited:.1f} 秒内答复 {op}")


class _Pending:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: dict[str, Any] | None = None


class HallClient:
    def __init__(self, url: str, hall: str, device: str, role: str, *, subscriptions: tuple[str, ...] = (),
                 clean_start: bool = True, hub_silent_s: float = p.HUB_SILENT_S,
                 hop_after_s: float = HOP_AFTER_S) -> None:
        self.address = BrokerAddress.parse(url)
        self.endpoint = 0  # which of self.address.endpoints this client uses now
        self.hop_after_s = hop_after_s
        self.hops = 0  # times this client moved to another broker
        self.topics = p.Topics(hall)
        self.device = device
        self.role = role
        self.state: dict[str, Any] = {}
        self.connected = threading.Event()
        self._subscriptions: list[str] = list(subscriptions)
        hub_presence = self.topics.presence(p.HUB)
        if len(self.address.endpoints) > 1 and device != p.HUB and not any(
                _matches(f, hub_presence) for f in self._subscriptions):
            self._subscriptions.append(hub_presence)  # which broker the hub answers on (_watch_brokers)
        self._listeners: list[tuple[str, Listener]] = []
        self._raw_listeners: list[tuple[str, Callable[[str, bytes], None]]] = []
        self._status_listeners: list[Callable[[bool], None]] = []
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        protocol = mqtt.MQTTv5 if self.address.version == 5 else mqtt.MQTTv311
        kwargs: dict[str, Any] = {"client_id": f"hallq-{hall}-{device}", "protocol": protocol}
        if protocol == mqtt.MQTTv311:
            kwargs["clean_session"] = clean_start
        self.mqtt = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
        self.address.configure(self.mqtt)
        self.mqtt.reconnect_delay_set(min_delay=1, max_delay=10)
        self.mqtt.will_set(self.topics.presence(device), p.presence(False, role, 0.0), qos=1, retain=True)
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_disconnect = self._on_disconnect
        self.mqtt.on_message = self._on_message
        self.mqtt.on_subscribe = self._on_subscribe
        self.mqtt.on_socket_open = self._on_socket_open
        self.mqtt.on_connect_fail = self._on_connect_fail
        self._problem = ""  # why the last connection attempt failed, for error messages
        self._stage = "no TCP connection yet"  # how far the last attempt got, for error messages
        self._sub_mid: int | None = None
        self._life = threading.Lock()  # the watchdog timer and _stopping (paho callbacks take it briefly)
        self._restarting = threading.Lock()  # held by a watchdog restart; stop() waits for it
        self._gate = threading.RLock()  # publish/subscribe against (re)connects: see publish()
        self._held: list[tuple[str, bytes, int, bool]] = []
        self._stopping = False
        self._watchdog: threading.Timer | None = None
        self.stalls = 0  # times a broker took our connection but never finished the handshake
        self._attempt = 0  # TCP connections made, so a late watchdog knows it is stale
        self.hub_silent_s = hub_silent_s
        self._hub_seen: tuple[float, dict[str, Any]] = (0.0, {})  # when presence/hub last arrived, and what
        self._hub_watch: threading.Thread | None = None  # started by the first presence/hub message
        self._hub_wake = threading.Event()  # stop() wakes the watcher
        self.hub_epoch = 0  # the highest hub epoch seen (paho's thread writes it): older messages are dropped
        self.stale = 0  # messages dropped for an older epoch

    # ------------------------------------------------------------ life

    @property
    def broker(self) -> tuple[str, int]:
        """The broker (host, port) this client uses now."""
        return self.address.endpoints[self.endpoint]

    def start(self, wait: float | None = 10.0) -> HallClient:
        """Connect in the background; with ``wait``, block until subscribed (or raise).

        With several brokers in the URL, a broker that cannot be reached is passed over for the next
        (paho's reconnect), and so is one on which no hub answers for ``hop_after_s`` (:meth:`_watch_brokers`):
        a standby hub that took over serves on its own machine's broker."""
        self.mqtt.connect_async(*self.broker, keepalive=15)
        self.mqtt.loop_start()
        if len(self.address.endpoints) > 1 and self.device != p.HUB:
            threading.Thread(target=self._watch_brokers, name=f"hallq-brokers-{self.device}", daemon=True).start()
        if wait is not None and not self._subscribed.wait(wait):
            why = f" ({self._problem})" if self._problem else f" (no answer; {self._stage})"
            self.stop()
            raise ConnectionError(f"cannot reach the MQTT broker at {self.address.host}:{self.address.port}{why}")
        return self

    def stop(self) -> None:
        with self._life:
            self._stopping = True
            if self._watchdog is not None:
                self._watchdog.cancel()
            self._hub_wake.set()
        with self._restarting:  # a watchdog restart in progress finishes first
            pass
        if self.connected.is_set():
            info = self.mqtt.publish(self.topics.presence(self.device), p.presence(False, self.role, hallclock.now()),
                                     qos=1, retain=True)
            # the connection may go between the check and the publish (paho raises then): the broker's last
            # will sets the presence offline instead
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(2)
        self.mqtt.disconnect()
        self.mqtt.loop_stop()

    def _arm_watchdog(self, attempt: int) -> None:
        """At each TCP connect: if the broker has not answered CONNACK and acknowledged our
        subscriptions (SUBACK) within HANDSHAKE_WAIT_S, that session is stuck on its side
        (amqtt has stalled so); drop it and connect again."""
        with self._life:
            if self._watchdog is not None:
                self._watchdog.cancel()
            if self._stopping:
                return
            self._watchdog = threading.Timer(HANDSHAKE_WAIT_S, self._handshake_overdue, (attempt,))
            self._watchdog.daemon = True
            self._watchdog.start()

    def _disarm_watchdog(self) -> None:
        with self._life:
            if self._watchdog is not None:
                self._watchdog.cancel()
                self._watchdog = None

    def _handshake_overdue(self, attempt: int) -> None:
        # Not under ``_life``: paho's thread takes it in on_disconnect while loop_stop() joins it.
        with self._restarting:
            with self._life:
                if (self._stopping or self._subscribed.is_set() or self._attempt != attempt
                        or self._stage not in (STAGE_TCP, STAGE_CONNACK)):
                    return  # done, or the connection dropped since: paho's own reconnect takes over
            self.stalls += 1
            log.warning("%s: the broker at %s:%s has not completed the handshake within %.0f s (%s); "
                        "connecting again", self.device, self.address.host, self.address.port, HANDSHAKE_WAIT_S,
                        self._stage)
            self.mqtt.disconnect()  # a clean DISCONNECT: the broker drops our last will
            self.mqtt.loop_stop()
            self.mqtt.connect_async(*self.broker, keepalive=15)
            self.mqtt.loop_start()

    # ------------------------------------------------------------ several brokers (a standby hub)

    def _next_broker(self) -> tuple[str, int]:
        self.endpoint = (self.endpoint + 1) % len(self.address.endpoints)
        self.hops += 1
        return self.broker

    def _watch_brokers(self) -> None:
        """Connected, but no hub answers on this broker for ``hop_after_s`` (its presence offline or
        silent, or never heard): say goodbye here and connect to the next broker."""
        since: float | None = None
        while True:
            with self._life:
                if self._stopping:
                    return
                seen_at, last = self._hub_seen
            now = time.monotonic()
            hub_here = bool(last.get("online")) and now - seen_at < self.hub_silent_s
            if not self._subscribed.is_set() or hub_here:
                since = None
            elif since is None:
                since = now
            elif now - since >= self.hop_after_s:
                since = None
                self._hop()
            self._hub_wake.wait(min(0.5, self.hop_after_s / 4))

    def _hop(self) -> None:
        with self._restarting:
            with self._life:
                if self._stopping:
                    return
            old = self.broker
            if self.connected.is_set():  # our retained presence there must not say online any more
                info = self.mqtt.publish(self.topics.presence(self.device),
                                         p.presence(False, self.role, hallclock.now()), qos=1, retain=True)
                with contextlib.suppress(RuntimeError, ValueError):
                    info.wait_for_publish(1)
            self.mqtt.disconnect()
            self.mqtt.loop_stop()
            with self._life:
                self._hub_seen = (0.0, {})
            new = self._next_broker()
            log.warning("%s: no hub answers on the broker %s:%s for %.0f s: trying %s:%s", self.device, *old,
                        self.hop_after_s, *new)
            self.mqtt.connect_async(*new, keepalive=15)
            self.mqtt.loop_start()

    def subscribe(self, topic_filter: str, listener: Listener | None = None) -> None:
        """Declarative: kept and re-made on every reconnect. Retained messages replay at once."""
        with self._gate, self._lock:
            if topic_filter not in self._subscriptions:
                self._subscriptions.append(topic_filter)
            if listener is not None:
                self._listeners.append((topic_filter, listener))
            now = self.connected.is_set()  # else the next CONNACK subscribes to it
        if now:
            self.mqtt.subscribe(topic_filter, qos=1)

    def on(self, topic_filter: str, listener: Listener) -> Unsubscribe:
        """Listen without subscribing (the filter is covered by another subscription).

        Returns the way back: call it to stop listening (a view that closes undoes its listeners,
        as Home Assistant's ``subscription.py`` does; calling it twice is harmless).
        """
        entry = (topic_filter, listener)
        with self._lock:
            self._listeners.append(entry)
        return self._undo(self._listeners, entry)

    def on_raw(self, topic_filter: str, listener: Callable[[str, bytes], None]) -> Unsubscribe:
        """Subscribe and receive payload bytes unparsed (the hub checks them itself).

        The returned unsubscribe removes the listener; the MQTT subscription stays (it is declarative).
        """
        entry = (topic_filter, listener)
        with self._lock:
            self._raw_listeners.append(entry)
        self.subscribe(topic_filter)
        return self._undo(self._raw_listeners, entry)

    def on_connection(self, listener: Callable[[bool], None]) -> Unsubscribe:
        with self._lock:
            self._status_listeners.append(listener)
        return self._undo(self._status_listeners, listener)

    def _undo(self, listeners: list[Any], entry: Any) -> Unsubscribe:
        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):  # already undone
                listeners.remove(entry)

        return unsubscribe

    def publish(self, topic: str, payload: bytes, *, retain: bool = False, qos: int = 1) -> None:
        """Publish now if connected; otherwise hold it, in order, until the next CONNACK.

        paho 2.2 puts a PUBLISH from another thread on the wire *before* its CONNECT when the
        call lands while it is opening the socket (``reconnect`` sets the socket, then queues
        CONNECT). Mosquitto drops such a connection; amqtt misreads it and hangs until the
        client gives up. Holding publishes until CONNACK closes that window.

        Lock order: paho runs our callbacks holding its callback lock, and its publish() may
        take that lock; so ``_gate`` is never held while calling into paho from here.
        """
        with self._gate:
            if not self.connected.is_set():
                self._held.append((topic, payload, qos, retain))
                return
        self.mqtt.publish(topic, payload, qos=qos, retain=retain)

    def set_status(self, status: dict[str, Any]) -> None:
        """Retained device health (printer paper, errors) for guides to see."""
        self.publish(self.topics.status(self.device), p.dump({"v": p.VERSION, "at": hallclock.now(), **status}),
                     retain=True)

    # ------------------------------------------------------------ requests

    def request(self, op: str, args: dict[str, Any] | None = None, *, timeout: float = 5.0, retries: int = 2,
                request_id: str | None = None) -> dict[str, Any]:
        """Send a command and wait for the hub's reply; retry with the same id on timeout.

        Raises :class:`RequestError` for a refusal and :class:`RequestTimeout` when no reply
        came after all tries (the command may or may not have happened: retry with the same
        ``request_id`` to find out, never with a new one).
        """
        args = args or {}
        p.check_args(op, args)
        rid = request_id or p.new_request_id()
        payload = p.Request(rid, op, args).encode()
        pending = _Pending()
        with self._lock:
            self._pending[rid] = pending
        try:
            for _attempt in range(retries + 1):
                self.publish(self.topics.cmd(self.device), payload)
                if pending.event.wait(timeout):
                    break
            else:
                raise RequestTimeout(op, timeout * (retries + 1))
        finally:
            with self._lock:
                self._pending.pop(rid, None)
        reply = pending.reply or {}
        if not reply.get("ok"):
            err = reply.get("error") or {}
            raise RequestError(str(err.get("code", "internal")), str(err.get("message", "")))
        result = reply.get("result") or {}
        return dict(result)

    # ------------------------------------------------------------ paho callbacks (paho's thread)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker refused the connection: %s", reason)
            self._problem = f"refused: {reason}"
            return
        self._stage = STAGE_CONNACK
        with self._gate:  # CONNECT is on the wire: now presence, subscriptions, then what was held
            client.publish(self.topics.presence(self.device), p.presence(True, self.role, hallclock.now()), qos=1,
                           retain=True)
            with self._lock:
                topics = [self.topics.reply(self.device), *self._subscriptions]
            _, mid = client.subscribe([(t, 1) for t in topics])
            self._sub_mid = mid
            held, self._held = self._held, []
            for topic, payload, qos, retain in held:
                client.publish(topic, payload, qos=qos, retain=retain)
            self.connected.set()
        for listener in list(self._status_listeners):  # a listener may unsubscribe meanwhile
            listener(True)

    def _on_socket_open(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        _no_delay(client, userdata, sock)
        self._stage = STAGE_TCP
        self._attempt += 1
        self._arm_watchdog(self._attempt)

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        self._problem = "connection attempt failed (nothing listening, or refused)"
        if len(self.address.endpoints) > 1:
            # paho retries the same host; its host/port setters refuse while a lost connection is being
            # retried, so the next broker goes straight into the attributes its reconnect() reads.
            client._host, client._port = self._next_broker()
            with self._life:
                self._hub_seen = (0.0, {})  # what the last broker said of the hub says nothing of the next
            log.info("%s: broker unreachable: next try %s:%s", self.device, *self.broker)

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, *args: Any) -> None:
        if mid == self._sub_mid:
            self._stage = "subscribed"
            self._subscribed.set()
            self._disarm_watchdog()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, *args: Any) -> None:
        reason = next((a for a in args if hasattr(a, "is_failure")), None)
        self._problem = f"disconnected: {reason}" if reason is not None else "disconnected"
        self._stage = "disconnected"
        self._disarm_watchdog()
        with self._gate:
            self.connected.clear()
        self._subscribed.clear()
        for listener in list(self._status_listeners):  # a listener may unsubscribe meanwhile
            listener(False)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            raw = [fn for f, fn in self._raw_listeners if _matches(f, msg.topic)]
        if raw:
            for fn in raw:
                fn(msg.topic, bytes(msg.payload))
            return
        try:
            data = p.load(bytes(msg.payload)) if msg.payload else None
        except ValueError:
            log.warning("ignored a non-JSON message on %s", msg.topic)
            return
        if msg.topic == self.topics.reply(self.device):
            if self._stale(msg.topic, data):
                return  # an older hub's reply: the request waits on and is retried with its id (request())
            with self._lock:
                pending = self._pending.get(str(data.get("id"))) if isinstance(data, dict) else None
            if pending is not None:
                pending.reply = data
                pending.event.set()
            return
        with self._lock:
            wanted = any(_matches(f, msg.topic) for f in self._subscriptions)
        if not wanted:
            return  # amqtt 0.12 replays retained messages to clients that never subscribed to them
        if msg.topic == self.topics.presence(p.HUB) and self.device != p.HUB:
            self._hub_heard(data)
        elif self._from_hub(msg.topic) and self._stale(msg.topic, data):
            return  # an older hub's state or event must not override the newer hub's
        self._deliver(msg.topic, data, keep=msg.retain or not msg.topic.startswith(self.topics.base + "/event/"))

    def _deliver(self, topic: str, data: Any, *, keep: bool = True) -> None:
        if keep:
            self.state[topic] = data
        with self._lock:
            listeners = [fn for f, fn in self._listeners if _matches(f, topic)]
        for fn in listeners:
            try:
                fn(topic, data)
            except Exception:
                log.exception("listener for %s failed", topic)

    # ------------------------------------------------------------ the hub's epoch (fencing)

    def _from_hub(self, topic: str) -> bool:
        """A topic only the hub publishes on: catalog, state/…, event/…, status/hub (presence/hub is
        kept apart: its last will cannot carry an epoch, and liveness must not be dropped)."""
        base = self.topics.base
        return (topic == self.topics.catalog or topic.startswith((f"{base}/state/", f"{base}/event/"))
                or topic == self.topics.status(p.HUB))

    def _stale(self, topic: str, data: Any) -> bool:
        """Note the epoch a hub message carries; True (and a log line) when it is older than one seen.
        An empty payload (a retained topic cleared by hand: no hub sends one) is let through."""
        if data is None:
            return False
        epoch = p.epoch_of(data)
        if epoch >= self.hub_epoch:
            if epoch > self.hub_epoch:
                log.info("%s: the hub answers under epoch %d (was %d)", self.device, epoch, self.hub_epoch,
                         extra={"device": self.device, "code": "hub_epoch", "epoch": epoch})
                self.hub_epoch = epoch
            return False
        self.stale += 1
        reply = topic == self.topics.reply(self.device)
        # a reconnect replays an old hub's retained topics at once: the first of them, and every reply, at warning
        log.log(logging.WARNING if reply or self.stale == 1 else logging.DEBUG,
                "%s: dropped a message from an older hub (epoch %d; this device has seen epoch %d) on %s%s",
                self.device, epoch, self.hub_epoch, topic,
                f" (request {data.get('id')}: it is retried with the same id)" if reply and isinstance(data, dict)
                else "", extra={"device": self.device, "code": "stale_epoch", "epoch": epoch})
        return True

    # ------------------------------------------------------------ the hub's heartbeat

    def _hub_heard(self, data: Any) -> None:
        """A message on ``presence/hub`` (paho's thread: only notes it; :meth:`_watch_hub` decides)."""
        data = data if isinstance(data, dict) else {}
        epoch = p.epoch_of(data)
        if epoch > self.hub_epoch:
            self._stale(self.topics.presence(p.HUB), data)  # learns it
        elif epoch < self.hub_epoch and data.get("online"):
            # an older hub's beat (not fenced yet, or its retained beat): no hub of this hall answers here
            data = {**data, "online": False, "stale": True}
        with self._life:
            self._hub_seen = (time.monotonic(), data)
            if self._hub_watch is None and not self._stopping:
                self._hub_watch = threading.Thread(target=self._watch_hub, name=f"hallq-hubwatch-{self.device}",
                                                   daemon=True)
                self._hub_watch.start()

    def _watch_hub(self) -> None:
        """One thread per client: after ``hub_silent_s`` without a message on ``presence/hub``
        while it said online, hand the listeners "offline" (once per silence)."""
        reported: float | None = None  # the arrival time of the beat we reported silent after
        while True:
            with self._life:
                if self._stopping:
                    return
                seen_at, last = self._hub_seen
            due = seen_at + self.hub_silent_s - time.monotonic()
            if due > 0 or reported == seen_at or not last.get("online"):
                self._hub_wake.wait(max(due, 0.0) if due > 0 else self.hub_silent_s)
                self._hub_wake.clear()
                continue
            reported = seen_at
            log.warning("%s: no heartbeat from the hub for %.0f s: treating it as offline", self.device,
                        self.hub_silent_s)
            self._deliver(self.topics.presence(p.HUB), {**last, "online": False, "silent": True})


def _no_delay(client: mqtt.Client, userdata: Any, sock: Any) -> None:
    """Disable Nagle: a small command after an ACK otherwise waits ~40 ms for the delayed ACK."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _matches(topic_filter: str, topic: str) -> bool:
    return mqtt.topic_matches_sub(topic_filter, topic) if ("+" in topic_filter or "#" in topic_filter) \
        else fnmatch.fnmatchcase(topic, topic_filter)


def discover_hall(url: str, timeout: float = 5.0) -> str:
    """The hall id served by the hub on this broker (from its retained catalog)."""
    found: list[str] = []
    event = threading.Event()
    address = BrokerAddress.parse(url)
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5 if address.version == 5
                    else mqtt.MQTTv311)
    address.configure(c)

    def on_message(client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        found.append(msg.topic.split("/")[1])
        event.set()

    c.on_message = on_message
    c.on_connect = lambda client, *a: client.subscribe(f"{p.ROOT}/+/catalog", qos=1)
    try:
        c.connect(address.host, address.port, keepalive=10)
    except OSError as exc:
        raise ConnectionError(f"cannot reach the MQTT broker at {address.host}:{address.port}: {exc}") from None
    c.loop_start()
    try:
        if not event.wait(timeout):
            raise LookupError(f"no hallq hub has published a catalog on {address.host}:{address.port}")
        time.sleep(0.2)  # other halls on the same broker
    finally:
        c.disconnect()
        c.loop_stop()
    halls = sorted(set(found))
    if len(halls) > 1:
        raise LookupError(f"several halls on this broker ({', '.join(halls)}): pass --hall")
    return halls[0]
