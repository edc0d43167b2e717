package platform

import (
	"net/http"

	"github.com/iotos/iotos/web"
)

// console is the web console mounted at "/": embedded assets that use the
// same REST API and WebSocket stream as every other client.
func console() http.Handler { return web.Handler() }
