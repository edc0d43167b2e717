package codes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

type driverErr struct{ code int }

func (e driverErr) Error() string  { return fmt.Sprintf("driver failure %d", e.code) }
func (e driverErr) ErrorCode() int { return e.code }

func TestFromKeepsCodes(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"codes error", New(DataNotExist, "no point"), DataNotExist},
		{"wrapped codes error", fmt.Errorf("device x: %w", New(NetError, "down")), NetError},
		{"driver code", driverErr{1234}, 1234},
		{"wrapped driver code", fmt.Errorf("read: %w", driverErr{504}), NetError},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), Timeout},
		{"plain", errors.New("boom"), Unknown},
	}
	for _, c := range cases {
		if got := From(c.err).Code; got != c.want {
			t.Errorf("%s: From = %d, want %d", c.name, got, c.want)
		}
	}
	if From(nil) != nil || Of(nil) != Success {
		t.Error("nil error must map to success")
	}
}

func TestUnknownCarriesCauseNotStack(t *testing.T) {
	e := From(errors.New("disk full"))
	if e.Data != "disk full" {
		t.Fatalf("data = %v, want the cause", e.Data)
	}
}

func TestEnvelopeJSONShape(t *testing.T) {
	raw, err := json.Marshal(WithData(TableNotValid, []string{"a"}, "table rejected").Envelope())
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"code":514,"msg":"table rejected","data":["a"]}` {
		t.Fatalf("envelope = %s", raw)
	}
	raw, _ = json.Marshal(OK(nil))
	if string(raw) != `{"code":0,"msg":"ok","data":null}` {
		t.Fatalf("ok envelope = %s", raw)
	}
}

func TestHTTPStatus(t *testing.T) {
	cases := map[Code]int{
		Success: 200, ArgError: 400, AccountNotRegister: 401, ObjectNotAuth: 403,
		IONodeNotExist: 404, DeviceNotExist: 404, DataNotExist: 404, PointNotExist: 400,
		ObjectOffline: 503, Timeout: 504, Unknown: 500, TableNotValid: 400, TypeNotValid: 400,
		PropertyNotValid: 400, 1500: 400,
	}
	for c, want := range cases {
		if got := HTTPStatus(c); got != want {
			t.Errorf("HTTPStatus(%d) = %d, want %d", c, got, want)
		}
	}
	if got := StatusOf(Conflict("name taken")); got != http.StatusConflict {
		t.Errorf("conflict status = %d", got)
	}
	if Conflict("x").Code != ArgError {
		t.Error("a conflict is code 105")
	}
}

func TestNamesAreCanonical(t *testing.T) {
	if ObjectOffline.String() != "ObjectOffline" || Code(1001).String() != "Code(1001)" {
		t.Fatal("names")
	}
}
