package model

import (
	"reflect"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

// FuzzDecodeCSV: decoding never panics; a rejection is 514 with no table;
// a table that decodes exports to CSV that decodes to the same table and
// exports to the same bytes. The committed corpus is in
// testdata/fuzz/FuzzDecodeCSV.
func FuzzDecodeCSV(f *testing.F) {
	if out, err := EncodeCSV(rowsTable()); err == nil {
		f.Add(out)
	}
	f.Add([]byte("device_id,device_name,driver,point_id,name,type\n1a2b3c4d,d,simulator,0a01,p,INT\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, warns, err := DecodeCSV(data)
		if err != nil {
			if codes.From(err).Code != codes.TableNotValid || !reflect.DeepEqual(tb, Table{}) || warns != nil {
				t.Fatalf("rejection = %v, table %+v, warnings %v", err, tb, warns)
			}
			return
		}
		out, err := EncodeCSV(tb)
		if err != nil {
			t.Fatalf("EncodeCSV of a decoded table: %v", err)
		}
		back, _, err := DecodeCSV(out)
		if err != nil {
			t.Fatalf("export rejected: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(tb, back) {
			t.Fatalf("decode of export differs\n%+v\n%+v\n%s", tb, back, out)
		}
		if out2, err := EncodeCSV(back); err != nil || string(out2) != string(out) {
			t.Fatalf("second export differs (%v)\n%s\n%s", err, out, out2)
		}
	})
}
