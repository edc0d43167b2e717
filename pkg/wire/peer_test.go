package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// pair connects two peers with in-memory pipes and runs both.
func pair(t *testing.T, a, b Handler) (*Peer, *Peer) {
	t.Helper()
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	pa, pb := NewPeer(ar, aw, a), NewPeer(br, bw, b)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, p := range []*Peer{pa, pb} {
		wg.Add(1)
		go func(p *Peer) { defer wg.Done(); _ = p.Run(ctx) }(p)
	}
	t.Cleanup(func() {
		cancel()
		_ = aw.Close()
		_ = bw.Close()
		wg.Wait()
	})
	return pa, pb
}

func TestPeerConcurrentCallsBothWays(t *testing.T) {
	var host *Peer
	// The driver answers "read" by first asking the host for a value, as a
	// driver does when it needs another point while the host waits on it.
	driverH := func(ctx context.Context, method string, params json.RawMessage) (any, error) {
		var p ReadParams
		if err := DecodeParams(params, &p); err != nil {
			return nil, err
		}
		var s Sample
		if err := host.Call(ctx, MethodValue, ValueParams{Name: p.Points[0]}, &s); err != nil {
			return nil, err
		}
		return []Sample{s}, nil
	}
	hostH := func(ctx context.Context, method string, params json.RawMessage) (any, error) {
		var p ValueParams
		if err := DecodeParams(params, &p); err != nil {
			return nil, err
		}
		return Sample{Point: p.Name, Value: "v-" + p.Name}, nil
	}
	h, d := pair(t, hostH, driverH)
	host = d // the driver's handle on the host
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("%04x", i)
			var out []Sample
			if err := h.Call(ctx, MethodRead, ReadParams{Points: []string{name}}, &out); err != nil {
				errs <- err
				return
			}
			if len(out) != 1 || out[0].Value != "v-"+name {
				errs <- fmt.Errorf("call %d got %+v", i, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPeerErrorsKeepTheirCode(t *testing.T) {
	h, _ := pair(t, nil, func(ctx context.Context, method string, _ json.RawMessage) (any, error) {
		if method == "slow" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, &Error{Code: 1007, Msg: "driver says no"}
	})
	err := h.Call(context.Background(), MethodWrite, WriteParams{Point: "0001", Value: 1}, nil)
	var we *Error
	if !errors.As(err, &we) || we.Code != 1007 {
		t.Fatalf("err = %v, want code 1007", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = h.Call(ctx, "slow", nil, nil)
	if !errors.As(err, &we) || we.Code != codeTimeout {
		t.Fatalf("err = %v, want code 519", err)
	}
}

func TestPeerFailsPendingCallsWhenTheStreamEnds(t *testing.T) {
	r, w := io.Pipe()
	p := NewPeer(r, io.Discard, nil)
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	callErr := make(chan error, 1)
	go func() { callErr <- p.Call(context.Background(), MethodRead, nil, nil) }()
	time.Sleep(10 * time.Millisecond) // let the call register; correctness does not depend on it
	_ = w.CloseWithError(io.EOF)
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("Run = %v, want ErrClosed", err)
	}
	var we *Error
	if err := <-callErr; !errors.As(err, &we) || we.Code != codeNetError {
		t.Fatalf("call = %v, want code 504", err)
	}
}

func TestReadHello(t *testing.T) {
	r, w := io.Pipe()
	go func() {
		d := NewPeer(nil, w, nil)
		_ = d.SendHello("x")
		_ = d.Notify(MethodHello, Hello{Protocol: Protocol, Version: 99})
	}()
	p := NewPeer(r, io.Discard, nil)
	if h, err := p.ReadHello(); err != nil || h.Driver != "x" {
		t.Fatalf("hello = %+v, %v", h, err)
	}
	if _, err := p.ReadHello(); err == nil {
		t.Fatal("version 99 accepted")
	}
}
