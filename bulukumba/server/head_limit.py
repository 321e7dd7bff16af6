"""A limit on the size of a request's head (request line and headers) under uvicorn's httptools
parser.

uvicorn parses HTTP with httptools when it is installed (requirements.txt: it is much cheaper
than h11, benchmarks/bench_capacity.py). h11 refuses a head it
cannot finish within its buffer; httptools has no such limit, and joins a header's pieces by
concatenation as they arrive, so one client sending a header of tens of megabytes kept the
server busy for tens of seconds. Here every connection counts the bytes of the head it is
reading; past HEAD_LIMIT it answers 431 in Indonesian and closes, before the parser sees them.
Bodies (uploads) are not counted: their size is the upload limit's business.

`limit_request_heads()` wraps uvicorn's HttpToolsProtocol once per process, while uvicorn
imports the app (dashboard.py), before the first connection; without httptools it does nothing.
"""
from __future__ import annotations

#: The largest head a browser of the dashboard sends is a few kilobytes (its cookies included).
HEAD_LIMIT = 64 * 1024
TOO_LARGE = "Kepala permintaan terlalu besar."


def answer_431() -> bytes:
    body = TOO_LARGE.encode()
    return (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-language: id\r\ncontent-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
            + body)


def limit_request_heads(limit: int = HEAD_LIMIT) -> bool:
    """Make uvicorn's httptools connections refuse a head longer than `limit` bytes; False
    when httptools is not installed (h11 limits heads itself)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return False
    if getattr(HttpToolsProtocol, "_kepala_dibatasi", False):
        return True
    data_received = HttpToolsProtocol.data_received
    on_headers_complete = HttpToolsProtocol.on_headers_complete
    on_message_complete = HttpToolsProtocol.on_message_complete

    def counting_data_received(self, data: bytes) -> None:
        if not getattr(self, "_kepala_selesai", False):
            # Only the head's own bytes count: on a busy server one read can hold the head and
            # the first hundreds of kilobytes of an upload's body (55 MB uploads were refused).
            tail = getattr(self, "_kepala_ekor", b"")  # the blank line may start in the last read
            seen = tail + data
            end = seen.find(b"\r\n\r\n")
            head = getattr(self, "_kepala", 0) + (len(data) if end < 0 else max(0, end + 4 - len(tail)))
            if head > limit:
                self.transport.write(answer_431())
                self.transport.close()
                return
            self._kepala, self._kepala_ekor = head, seen[-3:]
        data_received(self, data)

    def headers_done(self) -> None:
        self._kepala_selesai, self._kepala, self._kepala_ekor = True, 0, b""
        on_headers_complete(self)

    def message_done(self) -> None:
        self._kepala_selesai = False  # the next request's head starts (keep-alive, pipelining)
        on_message_complete(self)

    HttpToolsProtocol.data_received = counting_data_received
    HttpToolsProtocol.on_headers_complete = headers_done
    HttpToolsProtocol.on_message_complete = message_done
    HttpToolsProtocol._kepala_dibatasi = True
    return True
