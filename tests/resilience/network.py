"""Several "hosts" on this machine: one network namespace each, joined by veth pairs to a bridge
in the root namespace (the "network"). Servers the tests run on loopback are reachable from the
hosts at the bridge address through a forwarder (tests/resilience/forward.py). Everything made
here is removed on exit, even when the test fails."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass
class Host:
    name: str  # the namespace
    address: str
    veth: str  # the root-namespace end: down = the host's cable pulled
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    is_cut: bool = False

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Run ``argv`` inside the host (``ip netns exec`` execs it: the pid is the program's)."""
        with log.open("ab") as out:
            process = subprocess.Popen(
                ["ip", "netns", "exec", self.name, *argv],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def cut(self) -> None:
        ip("link", "set", self.veth, "down")
        self.is_cut = True

    def mend(self) -> None:
        ip("link", "set", self.veth, "up")
        self.is_cut = False

    def signal_stop(self) -> None:
        """Ask its programs to stop; a host without a link cannot finish anything gracefully
        (a worker's shutdown waits on Temporal), so its programs are killed."""
        for process in self.processes:
            if process.poll() is not None:
                continue
            if self.is_cut:
                process.kill()
            else:
                process.terminate()

    def wait_stopped(self) -> None:
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def stop(self) -> None:
        self.signal_stop()
        self.wait_stopped()


@dataclass
class Network:
    bridge: str
    gateway: str  # the bridge's address: where the hosts reach the loopback servers
    hosts: list[Host]


@contextmanager
def network(count: int, forwarded_ports: list[int], log_dir: Path) -> Iterator[Network]:
    tag = uuid.uuid4().hex[:5]
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
    while f"{subnet}." in routes:  # never shadow a network this machine already reaches
        subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
    bridge = f"atrb{tag}"
    made: list[Host] = []
    forwarder: subprocess.Popen[str] | None = None
    try:
        ip("link", "add", bridge, "type", "bridge")
        ip("addr", "add", f"{subnet}.1/24", "dev", bridge)
        ip("link", "set", bridge, "up")
        for n in range(1, count + 1):
            host = Host(f"atrh{tag}-{n}", f"{subnet}.{10 + n}", f"atrv{tag}{n}")
            ip("netns", "add", host.name)
            made.append(host)
            ip("link", "add", host.veth, "type", "veth", "peer", "name", f"atri{tag}{n}")
            ip("link", "set", f"atri{tag}{n}", "netns", host.name)
            ip("link", "set", host.veth, "master", bridge)
            ip("link", "set", host.veth, "up")
            inside = ["netns", "exec", host.name, "ip"]
            ip(*inside, "link", "set", "lo", "up")
            ip(*inside, "link", "set", f"atri{tag}{n}", "name", "eth0")
            ip(*inside, "addr", "add", f"{host.address}/24", "dev", "eth0")
            ip(*inside, "link", "set", "eth0", "up")
        forwarder = subprocess.Popen(
            [sys.executable, "-m", "tests.resilience.forward", f"{subnet}.1"]
            + [str(p) for p in forwarded_ports],
            stdout=subprocess.PIPE,
            stderr=(log_dir / "forward.log").open("ab"),
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        assert forwarder.stdout is not None
        if forwarder.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the forwarder did not start; see {log_dir / 'forward.log'}")
        yield Network(bridge, f"{subnet}.1", made)
    finally:
        for host in made:  # all at once: each host's programs stop in parallel
            host.signal_stop()
        for host in made:
            host.wait_stopped()
        if forwarder is not None:
            forwarder.kill()
            forwarder.wait(5)
        for host in made:
            subprocess.run(["ip", "netns", "del", host.name], capture_output=True)
        for host in made:  # deleting the namespace deletes the pair; this is in case it did not
            subprocess.run(["ip", "link", "del", host.veth], capture_output=True)
        subprocess.run(["ip", "link", "del", bridge], capture_output=True)
