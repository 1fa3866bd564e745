# SPDX-License-Identifier: MIT
"""Print the next_cursor after page N (page_size 25) of GET /accounts on
127.0.0.1:PORT, for bench/run-server.sh's deep-page case; "" if the server
gives none (one without cursors).

    python3 bench/list_cursor.py PORT API_KEY_FILE N
"""
import http.client
import json
import sys


def main():
    port, key_file, page = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with open(key_file) as f:
        key = f.read().strip()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/accounts?page_size=25&page=%d" % page,
                 headers={"Authorization": "Bearer " + key})
    body = json.loads(conn.getresponse().read())
    print(body.get("next_cursor") or "")


if __name__ == "__main__":
    main()
