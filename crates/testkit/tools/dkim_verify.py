"""Checks the DKIM signatures of one message with dkimpy, an implementation
independent of ajil's. The public key comes from the command line instead
of DNS, so no network is needed.

Usage: dkim_verify.py MESSAGE_FILE DNS_NAME TXT_RECORD
Prints one line per signature and exits 0 only if every signature verifies.
"""

import logging
import re
import sys

import dkim


def main():
    path, dns_name, record = sys.argv[1], sys.argv[2], sys.argv[3]
    want = dns_name.rstrip(".").lower()
    # A Maildir stores lines with LF; on the wire, and for DKIM, they are CRLF.
    message = re.sub(rb"\r?\n", b"\r\n", open(path, "rb").read())
    asked = []

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        asked.append(name)
        if name.rstrip(".").lower() == want:
            return record.encode()
        return None

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    verifier = dkim.DKIM(message, logger=logging.getLogger("dkim"))
    signatures = [
        line for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        if line.lower().startswith(b"dkim-signature:")
    ]
    if not signatures:
        print("no DKIM-Signature header")
        return 1
    ok = True
    for index in range(len(signatures)):
        result = verifier.verify(idx=index, dnsfunc=dnsfunc)
        print(f"signature {index}: {'pass' if result else 'FAIL'} (asked DNS for {asked})")
        ok = ok and result
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
