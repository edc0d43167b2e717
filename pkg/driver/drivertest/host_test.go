package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

func TestHostRecordsAndAnswers(t *testing.T) {
	h := NewHost(t)
	ts := time.Unix(100, 0)
	if err := h.SetValue("0001", int64(5), ts); err != nil {
		t.Fatal(err)
	}
	if err := h.SetValues([]driver.Sample{driver.GoodSample("0002", "x")}); err != nil {
		t.Fatal(err)
	}
	got := h.Samples()
	if len(got) != 2 || got[0].Value != int64(5) || !got[0].TS.Equal(ts) || got[1].Point != "0002" {
		t.Fatalf("samples = %+v", got)
	}
	h.Online(false)
	h.Online(true)
	if on := h.OnlineCalls(); len(on) != 2 || on[0] || !on[1] {
		t.Fatalf("online calls = %v", on)
	}
	ctx := context.Background()
	if _, err := h.Value(ctx, "dev.pt", driver.SourceMemory); ErrorCode(err) != 110 {
		t.Fatalf("unset memory: %v", err)
	}
	h.SetMemory("dev.pt", driver.GoodSample("pt", 1.5))
	if s, err := h.Value(ctx, "dev.pt", driver.SourcePlatform); err != nil || s.Value != 1.5 {
		t.Fatalf("Value = %+v, %v", s, err)
	}
	h.Logger().Info("logged through the test")
}
