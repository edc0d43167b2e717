package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// noConfig is how a decoded table holds "no config".
var noConfig = json.RawMessage("{}")

// rowsTable holds every column's kind of value, including cells that a
// spreadsheet would take for formulas, and a device without points.
func rowsTable() Table {
	return Table{Devices: []DeviceTable{
		{
			Device: Device{ID: "1a2b3c4d", Name: "=HYPERLINK(\"http://x\")", Driver: "modbus", Enabled: true,
				Config: json.RawMessage(`{"host":"127.0.0.1","port":502}`)},
			Points: []Point{
				{ID: "0a01", Device: "1a2b3c4d", Name: "temp", Description: "+cmd|' /C calc'!A0", Type: driver.Float, Access: driver.ReadWrite,
					Unit: "°C", Min: f64(-40), Max: f64(125.5), Default: 20.5, Deadband: 0.25, IntervalMS: 1000,
					Expr: "-x * 2", Config: json.RawMessage(`{"address":40001,"kind":"holding"}`)},
				{ID: "0a02", Device: "1a2b3c4d", Name: "@name", Description: "'quoted, with \"commas\"\nand lines", Type: driver.String,
					Access: driver.Read, Pattern: "^[a-z]+$", Default: "=1+1", Disabled: true, Config: noConfig},
				{ID: "0a03", Device: "1a2b3c4d", Name: "count", Type: driver.Int, Access: driver.Write, Default: int64(-3), Unit: "\tpcs", Config: noConfig},
				{ID: "0a04", Device: "1a2b3c4d", Name: "on", Type: driver.Bool, Access: driver.ReadWrite, Default: true, Config: noConfig},
			},
		},
		{Device: Device{ID: "5e6f7a8b", Name: "spare", Driver: "python/dr_x.XDriver", Enabled: true, Config: noConfig}},
	}}
}

func TestCSVRoundTrip(t *testing.T) {
	in := rowsTable()
	out, err := EncodeCSV(in)
	if err != nil {
		t.Fatal(err)
	}
	back, warns, err := DecodeCSV(out)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if len(warns) != 0 {
		t.Fatalf("warnings %v", warns)
	}
	if !reflect.DeepEqual(back, in) {
		t.Fatalf("round trip differs\n got %+v\nwant %+v\n%s", back, in, out)
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	in := rowsTable()
	out, err := EncodeXLSX(in)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := DecodeXLSX(out)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(back, in) {
		t.Fatalf("round trip differs\n got %+v\nwant %+v", back, in)
	}
	csvOut, _ := EncodeCSV(in)
	fromCSV, _, _ := DecodeCSV(csvOut)
	if !reflect.DeepEqual(back, fromCSV) {
		t.Fatal("XLSX and CSV decode to different tables")
	}
}

func TestCSVEscapesFormulas(t *testing.T) {
	out, err := EncodeCSV(rowsTable())
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{`"'=HYPERLINK(""http://x"")"`, `'+cmd|`, `'-x * 2`, `'@name`, `'=1+1`, ",'\tpcs,", `"''quoted`} {
		if !strings.Contains(s, want) {
			t.Errorf("export lacks escaped %q:\n%s", want, s)
		}
	}
	for _, plain := range []string{",-40,", ",-3,"} {
		if !strings.Contains(s, plain) {
			t.Errorf("number %q was escaped:\n%s", plain, s)
		}
	}
	for _, c := range []struct{ in, out string }{
		{"", ""}, {"abc", "abc"}, {"=1", "'=1"}, {"+1a", "'+1a"}, {"-5", "-5"}, {"-5e3", "-5e3"}, {"-x", "'-x"},
		{"@a", "'@a"}, {"\tx", "'\tx"}, {"\rx", "'\rx"}, {"'a", "''a"}, {"+", "'+"},
	} {
		if got := escapeCell(c.in); got != c.out {
			t.Errorf("escapeCell(%q) = %q, want %q", c.in, got, c.out)
		}
		if back := unescapeCell(escapeCell(c.in)); back != c.in {
			t.Errorf("unescape(escape(%q)) = %q", c.in, back)
		}
	}
}

// problemsOf decodes and returns the 514 problem list.
func problemsOf(t *testing.T, csv string) []Problem {
	t.Helper()
	_, _, err := DecodeCSV([]byte(csv))
	e := codes.From(err)
	if err == nil || e.Code != codes.TableNotValid {
		t.Fatalf("want 514, got %v", err)
	}
	ps, ok := e.Data.([]Problem)
	if !ok {
		t.Fatalf("data %T", e.Data)
	}
	return ps
}

func TestCSVProblemsHaveRows(t *testing.T) {
	const head = "device_id,device_name,driver,point_id,name,type,access,min,max,default,interval_ms,config,disabled,device_config\n"
	ps := problemsOf(t, head+
		"1a2b3c4d,boiler,simulator,0a01,temp,FLOAT,rw,0,100,,1000,,,\n"+ // row 2: fine
		"1a2b3c4d,boiler,simulator,0a02,temp,FLOAT,rw,,,,,,,\n"+ // row 3: duplicate name
		"1a2b3c4d,other,simulator,0a03,p3,DOUBLE,rw,,,,,,,\n"+ // row 4: device name differs, bad type
		"1a2b3c4d,,,0a01,p4,INT,r,,,,,,,\n"+ // row 5: duplicate point ID
		"1a2b3c4d,,,0a05,p5,INT,x,abc,,1.5,soon,{bad,maybe,\n"+ // row 6: many
		"XYZ,dev,simulator,0a01,p,INT,r,,,,,,,\n"+ // row 7: bad device ID
		",,,0a01,p,INT,r,,,,,,,\n"+ // row 8: no device
		"9a9b9c9d,d9,simulator,,,,,5,,,,,,\n"+ // row 9: point cells without point_id
		"8a8b8c8d,d8,simulator,0a01,p,INT,r,10,1,,,,,\"{\"\"x\"\":\"\n") // row 10: min > max, bad device config
	for _, want := range []struct{ path, field string }{
		{"row 3", "name"}, {"row 4", "device_name"}, {"row 4", "type"}, {"row 5", "point_id"},
		{"row 6", "access"}, {"row 6", "min"}, {"row 6", "default"}, {"row 6", "interval_ms"}, {"row 6", "config"}, {"row 6", "disabled"},
		{"row 7", "device_id"}, {"row 8", "device_id"}, {"row 9", "point_id"}, {"row 10", "min"}, {"row 10", "device_config"},
	} {
		if !hasProblem(ps, want.path, want.field) {
			t.Errorf("no problem at %s %s in:\n%v", want.path, want.field, ps)
		}
	}
	for _, p := range ps {
		if p.Path == "row 2" {
			t.Errorf("problem on a good row: %v", p)
		}
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	ps := problemsOf(t, "device_id,colour,name,name\n")
	for _, want := range []struct{ path, field string }{
		{"row 1", "colour"}, {"row 1", "name"}, {"row 1", "device_name"}, {"row 1", "driver"}, {"row 1", "point_id"}, {"row 1", "type"},
	} {
		if !hasProblem(ps, want.path, want.field) {
			t.Errorf("no problem at %s %s in %v", want.path, want.field, ps)
		}
	}
	if ps := problemsOf(t, ""); len(ps) != 1 || ps[0].Path != "row 1" {
		t.Errorf("empty file: %v", ps)
	}
	if ps := problemsOf(t, "device_id,device_name\n\"unterminated\n"); len(ps) != 1 || !strings.Contains(ps[0].Reason, "CSV") {
		t.Errorf("broken quoting: %v", ps)
	}
}

func TestCSVAcceptsSpreadsheetHabits(t *testing.T) {
	// A byte-order mark, columns in another order and in capitals, blank
	// rows, short rows, device cells only on a device's first row.
	in := "\ufeffName,Type,Point_ID,Device_ID,Device_Name,Driver\r\n" +
		"temp,float,0a01,1a2b3c4d,boiler,simulator\r\n" +
		",,,,,\r\n" +
		"state,string,0a02,1a2b3c4d\r\n"
	tb, _, err := DecodeCSV([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Devices) != 1 || len(tb.Devices[0].Points) != 2 || tb.Devices[0].Device.Name != "boiler" {
		t.Fatalf("table %+v", tb)
	}
	p := tb.Devices[0].Points[1]
	if p.Type != driver.String || p.Access != driver.Read || p.Name != "state" {
		t.Fatalf("point %+v", p)
	}
}

func TestXLSXRejectsGarbage(t *testing.T) {
	_, _, err := DecodeXLSX([]byte("PK not really a zip"))
	if codes.From(err).Code != codes.TableNotValid {
		t.Fatalf("want 514, got %v", err)
	}
}
