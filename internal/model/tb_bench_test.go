package model

import (
	"fmt"
	"strings"
	"testing"
)

// bigTB builds a table of devices × points in the sample's spelling.
func bigTB(devices, points int) []byte {
	var b strings.Builder
	b.WriteString(`{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"big","properties":{`)
	for d := 0; d < devices; d++ {
		if d > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%08x":{"name":"dev %d","description":"","config":{"driver":"modbus","param":{"host":"127.0.0.1","port":%d}},"data":{`, d, d, 1502+d)
		for p := 0; p < points; p++ {
			if p > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"%04x":{"name":"point %d","description":"","valuetype":"FLOAT","readwrite":"1","refreshcycle":"1000","defaultvalue":"","minvalue":"0","maxvalue":"120","regexp":"","sensibility":"0.1","unit":"°C","timestamp":1764000000000,"config":{"param":{"register":%d,"type":"float32"}}}`, p, p, p)
		}
		b.WriteString(`}}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

func BenchmarkDecodeTB(b *testing.B) {
	data := bigTB(10, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := DecodeTB(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeTB(b *testing.B) {
	tb, _, err := DecodeTB(bigTB(10, 1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := EncodeTB(tb); err != nil {
			b.Fatal(err)
		}
	}
}
