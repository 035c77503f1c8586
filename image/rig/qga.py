#!/usr/bin/python3
"""The rig's hand inside the guest: the QEMU guest agent over its virtio-serial socket.

  qga.py SOCKET exec [--timeout S] [--background] -- COMMAND ARG...   run a command; prints its output, exits with its code
                                                                       (--background: prints the guest pid and returns)
  qga.py SOCKET wait PID [--timeout S]                                 waits for a background command; exits with its code
  qga.py SOCKET read GUEST_PATH HOST_PATH                              copies a file out of the guest
  qga.py SOCKET ping [--timeout S]                                     waits until the agent answers
"""
import base64
import json
import socket
import sys
import time


class Agent:
    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"qga: no agent socket at {path}")
                time.sleep(1)
        self.file = self.sock.makefile("rwb")

    def call(self, command, arguments=None, timeout=30):
        self.sock.settimeout(timeout)
        message = {"execute": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.file.write(json.dumps(message).encode() + b"\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                raise SystemExit("qga: the agent closed the connection")
            reply = json.loads(line)
            if "error" in reply:
                raise SystemExit(f"qga: {command}: {reply['error'].get('desc', reply['error'])}")
            if "return" in reply:
                return reply["return"]


def ping(agent, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            # guest-sync makes the agent drop anything half-sent before it and answer this request.
            token = int(time.time()) % 100000
            if agent.call("guest-sync", {"id": token}, timeout=5) == token:
                return
        except (OSError, SystemExit):
            if time.monotonic() > deadline:
                raise SystemExit("qga: the guest agent did not answer")
            time.sleep(2)


def wait(agent, pid, timeout):
    deadline = time.monotonic() + timeout
    while True:
        status = agent.call("guest-exec-status", {"pid": pid})
        if status.get("exited"):
            for key, stream in (("out-data", sys.stdout), ("err-data", sys.stderr)):
                if key in status:
                    stream.write(base64.b64decode(status[key]).decode(errors="replace"))
            return status.get("exitcode", 1)
        if time.monotonic() > deadline:
            raise SystemExit(f"qga: guest pid {pid} still running after {timeout} s")
        time.sleep(0.5)


def main(argv):
    path, verb, rest = argv[1], argv[2], argv[3:]
    timeout = 60.0
    background = False
    if "--timeout" in rest:
        i = rest.index("--timeout")
        timeout = float(rest[i + 1])
        del rest[i:i + 2]
    if "--background" in rest:
        background = True
        rest.remove("--background")
    agent = Agent(path, timeout)
    if verb == "ping":
        ping(agent, timeout)
        return 0
    if verb == "exec":
        command = rest[rest.index("--") + 1:] if "--" in rest else rest
        pid = agent.call("guest-exec", {"path": command[0], "arg": command[1:], "capture-output": True})["pid"]
        if background:
            print(pid)
            return 0
        return wait(agent, pid, timeout)
    if verb == "wait":
        return wait(agent, int(rest[0]), timeout)
    if verb == "read":
        handle = agent.call("guest-file-open", {"path": rest[0], "mode": "rb"})
        with open(rest[1], "wb") as out:
            while True:
                chunk = agent.call("guest-file-read", {"handle": handle, "count": 1 << 20})
                out.write(base64.b64decode(chunk.get("buf-b64", "")))
                if chunk.get("eof"):
                    break
        agent.call("guest-file-close", {"handle": handle})
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
