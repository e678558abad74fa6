"""JupyterLab's kernel connection with Nagle's algorithm off: how a live view's answer reaches the page at once.

An answer a live view gets from the kernel (a slider's new figure, a typed character's colours, a sampled text)
travels from Jupyter's server to the browser over the kernel's websocket as several small messages: the kernel's
"busy", the answer, "idle". Tornado leaves Nagle's algorithm on for websockets, so a small message waits until the
one before it is acknowledged, and the receiving TCP stack delays that acknowledgement by up to 40 ms (the
classic interaction of Nagle's algorithm with delayed ACKs). Measured here (tests/test_text_view.py prints it):
a typed character in chapter 12's text view took 49 ms from key to colours, of which the kernel's own work is
about 1 ms; with TCP_NODELAY set, 11 ms.

`jupyterlab/install.sh` enables this module as a server extension (jupyterlab/server-config.json): when the server
loads it, the kernel's websocket connection becomes `NoDelayConnection`, jupyter_server's own connection, which sets
the flag and nothing else. A server configured with another connection (a gateway's) is left as it is.
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayConnection"]


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The kernel's websocket connection, every message sent as soon as it is written (TCP_NODELAY)."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    settings = serverapp.web_app.settings                      # read by every kernel websocket when it opens
    if settings.get("kernel_websocket_connection_class") is ZMQChannelsWebsocketConnection:
        settings["kernel_websocket_connection_class"] = NoDelayConnection
