"""A small HTTP server on 127.0.0.1 that plays the outlets for the preservation tests.

Routes: /page (an HTML article), /redirect (→ /page), /later-gone (200 until `gone` is
set, then 404), /big (a body over the tests' size cap), /slow (answers only when the test
ends: beyond any tiny timeout, without the test sleeping), /to-private (→ a link-local
address), /set-cookie (sets a cookie and redirects to /headers), /headers (echoes the
request headers), /unavailable (503), /loop (redirects to itself).
"""

import select
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Отказ служить</title>"
    "<style>body{color:red}</style><script>document.title='run'</script></head>"
    "<body><h1>Двенадцать росгвардейцев отказались</h1>"
    "<p>Суд отклонил иск &amp; апелляцию.</p><img src='https://tracker.invalid/x.png'>"
    "</body></html>"
).encode()


class SourceServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.gone = False
        self.release = threading.Event()
        self.big_size = 0
        self.requests = []

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        if self.path == "/page":
            self._send(200, PAGE)
        elif self.path == "/redirect":
            self._send(302, headers=[("Location", "/page")])
        elif self.path == "/later-gone":
            self._send(404, b"not found") if server.gone else self._send(200, PAGE)
        elif self.path == "/big":
            self._send(200, b"x" * server.big_size, "text/plain")
        elif self.path == "/big-unannounced":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"y" * server.big_size)
            self.close_connection = True
        elif self.path == "/slow":
            server.release.wait(timeout=30)
            self._send(200, PAGE)
        elif self.path == "/to-private":
            self._send(302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")])
        elif self.path == "/set-cookie":
            self._send(302, headers=[("Set-Cookie", "session=tracked"), ("Location", "/headers")])
        elif self.path == "/headers":
            text = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
            self._send(200, text.encode(), "text/plain; charset=utf-8")
        elif self.path == "/unavailable":
            self._send(503, b"try later")
        elif self.path == "/loop":
            self._send(302, headers=[("Location", "/loop")])
        else:
            self._send(404, b"no such page")


def start():
    server = SourceServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server


def stop(server):
    server.release.set()
    server.shutdown()
    server.server_close()


class Socks5Proxy(socketserver.ThreadingTCPServer):
    """A minimal SOCKS5 proxy (no authentication, CONNECT only) on 127.0.0.1 that records
    the destinations it was asked for, as Tor's SOCKS port would see them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SocksHandler)
        self.destinations = []

    @property
    def url(self):
        return f"socks5://127.0.0.1:{self.server_address[1]}"


class _SocksHandler(socketserver.BaseRequestHandler):
    def _read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.request.recv(count - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def handle(self):
        _version, methods = self._read(2)
        self._read(methods)
        self.request.sendall(b"\x05\x00")
        _version, _command, _reserved, kind = self._read(4)
        if kind == 1:
            host = socket.inet_ntoa(self._read(4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, self._read(16))
        else:
            host = self._read(self._read(1)[0]).decode()
        port = int.from_bytes(self._read(2), "big")
        self.server.destinations.append((host, port))
        upstream = socket.create_connection((host, port), timeout=5)
        self.request.sendall(b"\x05\x00\x00\x01" + bytes(6))
        sockets = [self.request, upstream]
        with upstream:
            while True:
                readable, _w, _x = select.select(sockets, [], [], 5)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.request else self.request).sendall(data)


def start_socks_proxy():
    proxy = Socks5Proxy()
    threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True).start()
    return proxy


def self_signed_certificate(folder, name="localhost"):
    """A certificate for `name` (key and certificate files in `folder`), for TLS tests."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def start_tls(folder):
    """The same outlet over HTTPS with a self-signed certificate for "localhost"."""
    import ssl

    key_file, cert_file = self_signed_certificate(folder)
    server = SourceServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.cert_file = cert_file
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
