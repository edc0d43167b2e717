package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// queryInt reads an optional integer query parameter (105 when malformed).
func queryInt(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, codes.New(codes.ArgError, "%s=%q is not an integer", name, s)
	}
	return n, nil
}

// queryBool reads an optional flag: 1/true/yes.
func queryBool(r *http.Request, name string) bool {
	b, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return b
}

// queryTimeout reads timeout_ms (0 = the default deadline).
func queryTimeout(r *http.Request) (time.Duration, error) {
	n, err := queryInt(r, "timeout_ms")
	return msDuration(n), err
}

func msDuration(n int64) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Millisecond
}

// pathUserID reads the {id} of /users/{id}.
func pathUserID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, codes.New(codes.ArgError, "user id %q is not a number", r.PathValue("id"))
	}
	return n, nil
}
