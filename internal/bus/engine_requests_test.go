package bus

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestEncodeRequestMatchesMarshal: asking a request to encode itself must
// put on the wire exactly the bytes json.Marshal would, for batches with
// every kind of value and for requests that are not Marshalers.
func TestEncodeRequestMatchesMarshal(t *testing.T) {
	b := Batch{Epoch: "0123456789abcdef", Seq: 42, Samples: []WireSample{
		{P: "0000000a.0001", V: int64(-3), T: 1700000000000},
		{P: "0000000a.0002", V: 1.5e-7, T: 1},
		{P: "0000000a.0003", V: "<a & b>\u2028\"q\"", T: 2},
		{P: "0000000a.0004", T: 3, Q: driver.Bad, C: 519},
		{P: "0000000a.0005", V: map[string]any{"k": []any{true, nil}}, T: 4},
		{P: "0000000a.0006", V: json.Number("12.50"), T: 5},
	}}
	for _, req := range []any{b, Batch{}, DeviceReq{ID: "0000000a"}, struct{}{}} {
		got, err := encodeRequest(req)
		if err != nil {
			t.Fatalf("%T: %v", req, err)
		}
		want, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%T:\n got %s\nwant %s", req, got, want)
		}
	}
}
