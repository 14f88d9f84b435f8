"""Runs child processes for `atrium up`, and stops them all cleanly on Ctrl-C or a child's death."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


@dataclass
class Supervisor:
    children: list[Child] = field(default_factory=list)
    stoppers: list[tuple[str, Callable[[], None]]] = field(default_factory=list)

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Child:
        process = subprocess.Popen(args, env=env, start_new_session=True)
        child = Child(name, process)
        self.children.append(child)
        self.stoppers.append((name, lambda: self._terminate(child)))
        return child

    def on_stop(self, name: str, stop: Callable[[], None]) -> None:
        self.stoppers.append((name, stop))

    @staticmethod
    def _terminate(child: Child) -> None:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.process.kill()

    def wait(self) -> int:
        """Block until Ctrl-C/SIGTERM or a child exits; then stop everything in reverse order."""
        stop = False

        def handler(signum: int, _frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
        code = 0
        while not stop:
            for child in self.children:
                if child.process.poll() is not None:
                    print(
                        f"atrium: {child.name} exited with {child.process.returncode}; stopping",
                        file=sys.stderr,
                    )
                    code, stop = 1, True
                    break
            time.sleep(0.3)
        self.stop_all()
        return code

    def stop_all(self) -> None:
        for name, stop in reversed(self.stoppers):
            try:
                stop()
            except Exception as exc:  # keep stopping the others
                print(f"atrium: stopping {name} failed: {exc}", file=sys.stderr)
        self.stoppers.clear()
