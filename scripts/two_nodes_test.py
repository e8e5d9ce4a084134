#!/usr/bin/env python3
"""The checks of scripts/two-nodes-test.sh: two `xietong serve` nodes on one
PostgreSQL behave as one service (DESIGN.md §6). Python's standard library
only (a fresh Debian 12 with scripts/install-deps.sh test has nothing more).

  two_nodes_test.py free-port
  two_nodes_test.py db-url ADMIN_URL DBNAME      the same server, another database
  two_nodes_test.py wait-healthy PORT PID SECONDS
  two_nodes_test.py check --a-port P --a-pid N --b-port P --b-pid N
                          --db-url URL --password PW [--a-log F --b-log F]

`check` proves, with the operator's sessions (A: intakes; B: two sockets):

 1. live across nodes: an intake on A reaches a WebSocket on B;
 2. timers: deadline timers made due once fire exactly once, although both
    nodes run the timer loop every second;
 3. logout: a session ended on A is refused by B within principal_cache_ttl
    (5 s); a live socket on B that session opened hears nothing more once
    B's renewal (every 30 s) has run;
 4. crash: A killed with SIGKILL amid a load of intakes loses none it
    acknowledged (every 201 from A is found through B by its number), and B
    carries on (it takes intakes and its sockets hear of them).

It runs them in the order 1, 3 (HTTP, which starts the socket's clock), 2,
4, 3 (socket), so that waiting for B's renewal overlaps the other checks.
Exits 0 when every check passed, 1 otherwise; each check prints one line.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

# IdentityOptions::principal_cache_ttl: a logout on one node reaches another within this.
PRINCIPAL_CACHE_TTL = 5.0
# LiveFeed's renew_every: an open socket's principal is renewed this often.
SOCKET_RENEW_EVERY = 30.0
# LiveFeed's interval: how often a node reads the audit chain.
FEED_INTERVAL = 0.5
# Slack for scheduling on a busy two-core machine (ASan build, ctest -j).
SLACK = 1.0

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

T_START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - T_START:5.1f}s] {message}", flush=True)


class Failure(Exception):
    pass


# --- HTTP ----------------------------------------------------------------------


def call(port, method, path, token=None, body=None, timeout=30):
    """One request on a fresh connection; (status, parsed JSON or raw text)."""
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
        ctype = res.getheader("Content-Type", "")
    finally:
        conn.close()
    if raw and "json" in ctype:
        return res.status, json.loads(raw)
    return res.status, raw.decode("utf-8", "replace")


def login(port, username, password):
    status, body = call(port, "POST", "/api/v1/auth/login",
                        body={"username": username, "password": password})
    if status != 200:
        raise Failure(f"login as {username} on :{port} answered {status}: {body}")
    return body["token"]


INTAKE_TEXTS = [
    ("路灯不亮", "湖畔社区{n}号楼门口的路灯坏了，晚上一片漆黑，老人出门不方便。", "路灯故障"),
    ("占道经营", "湖畔社区{n}号楼旁边有商贩占道摆摊，行人只能走到机动车道上。", "占道经营"),
    ("楼道杂物", "湖畔社区{n}号楼楼道里堆满了杂物，有消防隐患，请尽快清理。", "楼道杂物"),
    ("小广告", "湖畔社区{n}号楼单元门上贴满了小广告，撕了又贴，影响市容。", "小广告乱贴乱画"),
]
# The category each intake names (as the operator's console sends one): what
# is tested here is two nodes, not how sure the demo's classifier is of a text.
MATTER_IDS = {}


def learn_matters(port, token):
    status, body = call(port, "GET", "/api/v1/matters?leaves=true", token)
    if status != 200:
        raise Failure(f"GET /api/v1/matters on :{port} answered {status}: {body}")
    items = body.get("items", []) if isinstance(body, dict) else body
    for m in items:
        if isinstance(m, dict) and "name" in m and "id" in m:
            MATTER_IDS[m["name"]] = m["id"]


def intake(port, token, n, tag):
    """POST /api/v1/requests (dispatched at once); (status, body)."""
    title, text, matter = INTAKE_TEXTS[n % len(INTAKE_TEXTS)]
    body = {
        "title": f"{title}（{tag}）",
        "text": text.format(n=n % 30 + 1) + f"（{tag}）",
        "place": {"address": f"湖畔社区{n % 30 + 1}号楼"},
        "contact": {"name": "测试", "phone": f"1390000{n % 10000:04d}"},
        "dispatch": True,
    }
    if matter in MATTER_IDS:
        body["matter_id"] = MATTER_IDS[matter]
    return call(port, "POST", "/api/v1/requests", token, body)


def intake_ok(port, token, n, tag):
    status, body = intake(port, token, n, tag)
    if status != 201:
        raise Failure(f"intake on :{port} answered {status}: {body}")
    return body["request"]


# --- a minimal WebSocket client ---------------------------------------------------


class LiveSocket:
    """GET /api/v1/live as a WebSocket: the handshake, then a thread that keeps
    every text message the server sends (with the time it came) and answers
    pings (the server pings a quiet socket and closes one that does not answer)."""

    def __init__(self, port, token, name):
        self.name = name
        self.messages = []  # (monotonic time, decoded JSON)
        self.problems = []
        self.closed = False
        self.cond = threading.Condition()
        self.send_lock = threading.Lock()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if token:
            request += f"Authorization: Bearer {token}\r\n"
        self.sock.sendall((request + "\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise Failure(f"{name}: the server closed the connection during the handshake")
            buf += chunk
        head, _, self.buf = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if self.status != 101:
            length = int(headers.get("content-length", "0"))
            while len(self.buf) < length:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                self.buf += chunk
            self.refusal = self.buf[:length].decode("utf-8", "replace")
            self.sock.close()
            self.closed = True
            return
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            raise Failure(f"{name}: wrong Sec-WebSocket-Accept {headers.get('sec-websocket-accept')!r}")
        self.sock.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send(self, opcode, payload=b""):
        mask = os.urandom(4)  # a client masks every frame (RFC 6455 §5.3)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        frame = bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked
        with self.send_lock:
            self.sock.sendall(frame)

    def _read(self):
        fragments = []
        try:
            while True:
                b0, b1 = self._exact(2)
                fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._exact(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._exact(8))[0]
                if b1 & 0x80:
                    self.problems.append("the server sent a masked frame")
                    mask = self._exact(4)
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._exact(n)))
                else:
                    payload = self._exact(n)
                if opcode == 0x9:  # ping
                    self._send(0xA, payload)
                elif opcode == 0x8:  # close: answer it and stop
                    try:
                        self._send(0x8, payload[:2])
                    except OSError:
                        pass
                    break
                elif opcode in (0x0, 0x1, 0x2):
                    if opcode == 0x2:
                        self.problems.append("the server sent a binary frame")
                    fragments.append(payload)
                    if fin:
                        text = b"".join(fragments).decode("utf-8")
                        fragments = []
                        try:
                            message = json.loads(text)
                        except ValueError:
                            self.problems.append(f"not JSON: {text!r}")
                            continue
                        with self.cond:
                            self.messages.append((time.monotonic(), message))
                            self.cond.notify_all()
        except (OSError, EOFError, ValueError):
            pass
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def find(self, request_id):
        with self.cond:
            for at, m in self.messages:
                if m.get("request_id") == request_id:
                    return at, m
        return None

    def wait_for(self, request_id, timeout):
        """The first message naming request_id, waiting up to timeout s; None if none came."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for at, m in self.messages:
                    if m.get("request_id") == request_id:
                        return at, m
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# --- psql ------------------------------------------------------------------------


def psql(db_url, sql):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Failure(f"psql failed: {r.stderr.strip()}\n  SQL: {sql}")
    return [line.split("|") for line in r.stdout.splitlines() if line]


def sql_list(values):
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


# --- the checks -------------------------------------------------------------------


class Run:
    def __init__(self, args):
        self.a, self.b = args.a_port, args.b_port
        self.a_pid = args.a_pid
        self.db_url = args.db_url
        self.password = args.password
        self.logs = {"A": args.a_log, "B": args.b_log}
        self.failures = []
        self.numbers = {}  # number → request id, every intake acknowledged in this run
        self.a_alive = True

    def fail(self, message):
        self.failures.append(message)
        log("FAIL: " + message)

    def ok(self, message):
        log("ok: " + message)

    def remember(self, request):
        seen = self.numbers.get(request["number"])
        if seen is not None and seen != request["id"]:
            self.fail(f"two requests got the number {request['number']}: {seen} and {request['id']}")
        self.numbers[request["number"]] = request["id"]

    # 1 ----------------------------------------------------------------------------
    def live_across_nodes(self):
        refused = LiveSocket(self.b, None, "anonymous socket")
        if refused.status != 401:
            self.fail(f"a WebSocket on B without credentials was answered {refused.status}, not 401")
        for name, s in (("control", self.control), ("victim", self.victim)):
            if s.status != 101:
                raise Failure(f"the {name} WebSocket on B was refused ({s.status}): {s.refusal}")
        r = intake_ok(self.a, self.token_a, 1, "live")
        self.remember(r)
        t0 = time.monotonic()
        got = self.control.wait_for(r["id"], 5 * FEED_INTERVAL + 5)
        if not got:
            self.fail(f"request {r['number']} taken in on A never reached the WebSocket on B "
                      f"(waited {5 * FEED_INTERVAL + 5:.0f} s)")
            return
        at, m = got
        if m.get("type") != "request" or not str(m.get("action", "")).startswith("request."):
            self.fail(f"the live message for {r['number']} is not a request message: {m}")
            return
        if not self.victim.wait_for(r["id"], 3):
            self.fail(f"the second socket on B did not hear of {r['number']} either")
            return
        self.ok(f"1 live: intake {r['number']} on A reached the socket on B in "
                f"{max(0.0, at - t0):.2f} s after A's 201 ({json.dumps(m)})")

    # 3 (HTTP) ---------------------------------------------------------------------
    def logout_http(self):
        token = self.victim_token
        status, body = call(self.b, "GET", "/api/v1/me", token)  # B now holds it in its cache
        if status != 200:
            raise Failure(f"GET /api/v1/me on B before the logout answered {status}: {body}")
        status, body = call(self.a, "POST", "/api/v1/auth/logout", token)
        if status != 204:
            raise Failure(f"POST /api/v1/auth/logout on A answered {status}: {body}")
        self.logout_at = t0 = time.monotonic()
        status, _ = call(self.a, "GET", "/api/v1/me", token)
        if status != 401:
            self.fail(f"A itself still took the session it had just ended ({status})")
        answers = []  # (sent at, status)
        bound = PRINCIPAL_CACHE_TTL + SLACK / 2
        while True:
            sent = time.monotonic() - t0
            status, _ = call(self.b, "GET", "/api/v1/me", token)
            answers.append((sent, status))
            if sent > bound + 1.0:
                break
            time.sleep(0.2)
        first_401 = next((s for s, st in answers if st == 401), None)
        unexpected = [(s, st) for s, st in answers if st not in (200, 401)]
        late = [s for s, st in answers if st == 200 and s > bound]
        flapped = first_401 is not None and any(st == 200 and s > first_401 for s, st in answers)
        if unexpected:
            self.fail(f"B answered GET /api/v1/me with {unexpected} after the logout")
        elif first_401 is None or late:
            self.fail(f"B still took the logged-out session {max(late or [answers[-1][0]]):.1f} s "
                      f"after the logout on A (the bound is principal_cache_ttl = "
                      f"{PRINCIPAL_CACHE_TTL:.0f} s)")
        elif flapped:
            self.fail("B took the logged-out session again after having refused it")
        else:
            self.ok(f"3 logout (HTTP): A refused the session at once, B from "
                    f"{first_401:.1f} s after the logout (bound {PRINCIPAL_CACHE_TTL:.0f} s); "
                    f"{len(answers)} probes")

    # 2 ----------------------------------------------------------------------------
    def timers_once(self):
        # Some requests on each node at once, each with its sign deadline timers.
        made, errors = [], []
        lock = threading.Lock()

        def make(port, token, n):
            try:
                r = intake_ok(port, token, n, "timer")
                with lock:
                    made.append(r)
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(str(e))

        threads = [threading.Thread(target=make, args=(p, t, 100 + i))
                   for i, (p, t) in enumerate([(self.a, self.token_a), (self.b, self.token_b)] * 4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise Failure(f"intakes for the timer check failed: {errors[0]}")
        for r in made:
            self.remember(r)
        ids = [r["id"] for r in made]
        kinds = ("sign_warn", "sign_due")
        rows = psql(self.db_url,
                    f"SELECT request_id, kind, fired_at FROM request_timers WHERE request_id IN "
                    f"({sql_list(ids)}) AND kind IN ({sql_list(kinds)})")
        if len(rows) != 2 * len(ids) or any(int(fired) != 0 for _, _, fired in rows):
            raise Failure(f"expected an unfired sign_warn and sign_due timer for each of "
                          f"{len(ids)} new requests; request_timers has {rows}")
        # Due a second ago, all in one statement: both nodes' next tick finds them.
        psql(self.db_url,
             "UPDATE request_timers SET due_at = "
             "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint - 1000000 "
             f"WHERE request_id IN ({sql_list(ids)}) AND kind IN ({sql_list(kinds)})")
        t0 = time.monotonic()
        actions = ("request.deadline_warning", "request.sign_overdue")
        query = (f"SELECT subject, action, count(*) FROM audit_events WHERE subject IN "
                 f"({sql_list(ids)}) AND action IN ({sql_list(actions)}) GROUP BY 1, 2")
        fired_in = None
        while time.monotonic() - t0 < 15:
            if len(psql(self.db_url, query)) == len(ids) * len(actions):
                fired_in = time.monotonic() - t0
                break
            time.sleep(0.25)
        if fired_in is None:
            counts = psql(self.db_url, query)
            self.fail(f"timers made due did not all fire within 15 s: events {counts}")
            return
        time.sleep(3)  # both nodes tick three more times
        counts = {(s, a): int(c) for s, a, c in psql(self.db_url, query)}
        wrong = {k: v for k, v in counts.items() if v != 1}
        missing = [(i, a) for i in ids for a in actions if (i, a) not in counts]
        unfired = psql(self.db_url,
                       f"SELECT request_id, kind FROM request_timers WHERE request_id IN "
                       f"({sql_list(ids)}) AND kind IN ({sql_list(kinds)}) AND fired_at = 0")
        by_node = {}
        for node, path in self.logs.items():
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    by_node[node] = sum(int(line.split("fired ")[1].split()[0])
                                        for line in f if "deadline timers" in line and "fired " in line)
            except (OSError, ValueError, IndexError):
                by_node[node] = "?"
        if wrong or missing or unfired:
            self.fail(f"timers did not fire exactly once: counts other than 1 {wrong}, "
                      f"missing {missing}, still unfired {unfired}")
        else:
            self.ok(f"2 timers: {len(ids) * len(kinds)} timers of {len(ids)} requests fired "
                    f"{len(ids) * len(actions)} events, each exactly once ({fired_in:.1f} s to fire, "
                    f"3 s more watched; fired per node per its log: {by_node})")

    # 4 ----------------------------------------------------------------------------
    def crash(self):
        acked_a = []  # requests A answered 201
        refused_a = []  # (status, body) A answered with something else before dying
        b_answers = []  # (status, body, request or None) from B during and after the kill
        lost_contact = [0]
        lock = threading.Lock()
        dead = threading.Event()
        stop_b = threading.Event()

        def writer_a(w):
            for i in range(10_000):
                if dead.is_set():
                    return
                try:
                    status, body = intake(self.a, self.token_a, 1000 + 100 * w + i, f"A{w}-{i}")
                except (OSError, http.client.HTTPException):
                    with lock:
                        lost_contact[0] += 1
                    return  # A is gone: this one's fate is unknown, and may be either
                with lock:
                    if status == 201:
                        acked_a.append(body["request"])
                    else:
                        refused_a.append((status, body))

        def writer_b():
            i = 0
            while not stop_b.is_set():
                i += 1
                try:
                    status, body = intake(self.b, self.token_b, 5000 + i, f"B-{i}")
                except (OSError, http.client.HTTPException) as e:
                    status, body = "no answer", str(e)
                with lock:
                    b_answers.append((status, body))

        writers = [threading.Thread(target=writer_a, args=(w,)) for w in range(4)]
        writers.append(threading.Thread(target=writer_b))
        for th in writers:
            th.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            with lock:
                n = len(acked_a)
            if n >= 20 and time.monotonic() - t0 >= 1.5:
                break
            time.sleep(0.05)
        with lock:
            before_kill = len(acked_a)
        os.kill(self.a_pid, signal.SIGKILL)
        self.a_alive = False
        killed_at = time.monotonic()
        dead.set()
        for th in writers[:-1]:
            th.join(timeout=60)
        time.sleep(1.0)  # B keeps writing a little after A's death
        stop_b.set()
        writers[-1].join(timeout=60)
        if refused_a:
            self.fail(f"A refused {len(refused_a)} intakes under load, e.g. {refused_a[0]}")
        if len(acked_a) < 10:
            self.fail(f"only {len(acked_a)} intakes were acknowledged by A before the kill: "
                      "too few to prove anything")
            return
        b_bad = [(s, b) for s, b in b_answers if s != 201]
        for s, body in b_answers:
            if s == 201:
                self.remember(body["request"])
        for r in acked_a:
            self.remember(r)
        # Every intake A acknowledged is there, found through B by its number.
        lost = []
        for r in acked_a:
            status, body = call(self.b, "GET", f"/api/v1/requests/{r['number']}", self.token_b)
            if status != 200 or body["request"]["id"] != r["id"]:
                lost.append((r["number"], r["id"], status,
                             body if status != 200 else body["request"]["id"]))
        if lost:
            self.fail(f"{len(lost)} of {len(acked_a)} intakes acknowledged by A before its SIGKILL "
                      f"are not found through B: {lost[:5]}")
        else:
            self.ok(f"4 crash: A killed (SIGKILL) after {killed_at - t0:.1f} s of load; all "
                    f"{len(acked_a)} intakes it acknowledged ({before_kill} counted when the kill was sent) "
                    f"are found through B by number; {lost_contact[0]} in flight were cut off")
        if b_bad:
            self.fail(f"B answered {len(b_bad)} of {len(b_answers)} intakes during A's death "
                      f"with other than 201, e.g. {b_bad[0]}")
        # B carries on: it takes a new intake, finds it, and its socket hears of it.
        r = intake_ok(self.b, self.token_b, 7, "after the crash")
        self.remember(r)
        status, body = call(self.b, "GET", f"/api/v1/requests/{r['number']}", self.token_b)
        heard = self.control.wait_for(r["id"], 5 * FEED_INTERVAL + 5)
        if status != 200 or not heard:
            self.fail(f"B after A's death: reading {r['number']} answered {status}; "
                      f"its socket {'heard' if heard else 'did not hear'} of it")
        else:
            ok_b = sum(1 for s, _ in b_answers if s == 201)
            self.ok(f"4 B carries on: all {ok_b} intakes on B during the load and A's death got "
                    f"201; new intake "
                    f"{r['number']} on B read back and heard on B's socket")

    # 3 (socket) -------------------------------------------------------------------
    def logout_socket(self):
        # The socket on B that the ended session opened is renewed every 30 s;
        # a renewal may still use B's cached principal (up to 5 s old), so
        # 30 + 5 s after the logout at the latest it must hear nothing more.
        # A probe intake on B each second until the socket misses one that the
        # other socket hears; then one more, which it must miss too.
        bound = SOCKET_RENEW_EVERY + PRINCIPAL_CACHE_TTL + FEED_INTERVAL + SLACK
        log(f"probing B's sockets each second until the logged-out one hears nothing "
            f"(bound {bound:.1f} s after the logout)")
        heard_until = missed_at = None
        missed = []
        probes = 0
        while True:
            sent = time.monotonic() - self.logout_at
            r = intake_ok(self.b, self.token_b, 9 + probes, "socket logout probe")
            probes += 1
            self.remember(r)
            if not self.control.wait_for(r["id"], 5 * FEED_INTERVAL + 5):
                self.fail(f"the control socket on B never heard of the probe {r['number']}")
                return
            # One Publish sends to both sockets: the other's frame is a moment behind
            # at most (wait_for returns as soon as it comes; only a miss waits it out).
            if self.victim.wait_for(r["id"], 1.5):
                heard_until = sent
            else:
                missed.append(r["id"])
                if missed_at is None:
                    missed_at = sent
            if len(missed) >= 2 or sent > bound + 5:
                break
            time.sleep(max(0.0, 1.0 - (time.monotonic() - self.logout_at - sent)))
        time.sleep(2 * FEED_INTERVAL)
        late = [i for i in missed if self.victim.find(i)]
        heard = f"{heard_until:.1f} s" if heard_until is not None else "none"
        if missed_at is None or missed_at > bound:
            self.fail(f"the socket on B opened by a session logged out on A still heard changes "
                      f"{heard} after the logout (bound {bound:.1f} s = renewal "
                      f"{SOCKET_RENEW_EVERY:.0f} s + principal cache {PRINCIPAL_CACHE_TTL:.0f} s)")
        elif late or (heard_until is not None and heard_until > missed_at):
            self.fail(f"the logged-out session's socket on B heard probes after missing one: first "
                      f"missed {missed_at:.1f} s after the logout, last heard {heard}, "
                      f"{len(late)} missed ones came late")
        else:
            self.ok(f"3 logout (socket): the logged-out session's socket on B heard the last probe "
                    f"sent {heard} after the logout, none sent from {missed_at:.1f} s on (bound "
                    f"{bound:.1f} s); {probes} probes, all heard by the other socket")

    def run(self):
        try:
            self.token_a = login(self.a, "operator", self.password)
            learn_matters(self.a, self.token_a)
            self.token_b = login(self.b, "operator", self.password)
            self.victim_token = login(self.a, "operator", self.password)  # its session ends on A
            self.control = LiveSocket(self.b, self.token_b, "control socket")
            self.victim = LiveSocket(self.b, self.victim_token, "socket of the session to end")
        except (Failure, OSError, http.client.HTTPException) as e:
            self.fail(f"setting up (logins, sockets on B): {e}")
            return 1
        checks = [self.live_across_nodes, self.logout_http, self.timers_once, self.crash,
                  self.logout_socket]
        needs_logout = {self.logout_socket}
        for check in checks:
            if check in needs_logout and not hasattr(self, "logout_at"):
                self.fail(f"{check.__name__}: skipped, the logout did not happen")
                continue
            try:
                check()
            except Exception as e:  # noqa: BLE001 - any error fails this check, not the others
                self.fail(f"{check.__name__}: {type(e).__name__}: {e}")
        for s in (self.control, self.victim):
            s.close()
            if s.problems:
                self.fail(f"{s.name}: {s.problems[:3]}")
        if self.a_alive:
            self.fail("node A was never killed (the crash check did not get that far)")
        return 1 if self.failures else 0


# --- entry points -----------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        try:
            status, _ = call(port, "GET", "/healthz", timeout=2)
            if status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return False


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "free-port":
        print(free_port())
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "db-url":
        u = urllib.parse.urlsplit(sys.argv[2])
        print(urllib.parse.urlunsplit(u._replace(path="/" + sys.argv[3])))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "wait-healthy":
        return 0 if wait_healthy(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])) else 1
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["check"])
    p.add_argument("--a-port", type=int, required=True)
    p.add_argument("--a-pid", type=int, required=True)
    p.add_argument("--b-port", type=int, required=True)
    p.add_argument("--b-pid", type=int, required=True)
    p.add_argument("--db-url", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--a-log", default="")
    p.add_argument("--b-log", default="")
    return Run(p.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
