#!/usr/bin/env python3
"""resident.py SOCKET STATS WORD...: run one 'image' command in bench/Resident.java's JVM.

Prints the command's output, writes "CPU_S MAXRSS_MIB WALL_S" (the resident JVM's figures for this
command; the wall time leaves out this client's own start) to the file STATS for anchors.sh, and
exits with the command's status.
"""
import socket
import sys

sock_path, stats_path, words = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
s.sendall(("\n".join(words) + "\n").encode())
s.shutdown(socket.SHUT_WR)
reply = b"".join(iter(lambda: s.recv(1 << 16), b"")).decode()
if not words or words == ["quit"]:
    sys.exit(0)
body, _, last = reply.rstrip("\n").rpartition("\n")
if not last.startswith("resident "):
    sys.stdout.write(reply)
    sys.exit("resident.py: the resident JVM gave no status line (did it die?)")
fields = dict(f.split("=", 1) for f in last.split()[1:])
if body:
    print(body)
with open(stats_path, "w") as f:
    f.write(f"{fields['cpu_s']} {fields['maxrss_MiB']} {fields['wall_s']}\n")
sys.exit(int(fields["rc"]))
