package mqtt

import (
	"context"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// session3 is an MQTT 3.1.1 session on eclipse/paho.mqtt.golang.
type session3 struct {
	cfg    sessionConfig
	client paho.Client
	first  chan error    // result of the first subscription
	stop   chan struct{} // closed by close: abandons pending subscriptions

	mu     sync.Mutex // guards closed against wg.Add racing wg.Wait
	closed bool
	wg     sync.WaitGroup
}

func (s *session3) connect(ctx context.Context) error {
	s.first, s.stop = make(chan error, 1), make(chan struct{})
	s.client = paho.NewClient(s.options())
	what := "connect " + s.cfg.url.Redacted()
	if err := waitToken(ctx, s.client.Connect(), s.stop); err != nil {
		s.close()
		return linkError(ctx, what, err)
	}
	select {
	case err := <-s.first:
		if err != nil {
			s.close()
			return linkError(ctx, what, err)
		}
		return nil
	case <-ctx.Done():
		s.close()
		return linkError(ctx, what, ctx.Err())
	}
}

// options configures the library: it reconnects on its own (but not on
// the first attempt, which Connect reports), and every connection is a
// clean session that onConnect subscribes again.
func (s *session3) options() *paho.ClientOptions {
	c := s.cfg
	o := paho.NewClientOptions().
		AddBroker(c.url.String()).
		SetClientID(c.clientID).
		SetUsername(c.username).
		SetPassword(c.password).
		SetKeepAlive(c.keepAlive).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetConnectRetry(false).
		SetMaxReconnectInterval(c.reconnectMax).
		SetOnConnectHandler(s.onConnect).
		SetConnectionLostHandler(func(_ paho.Client, err error) { c.events.down(err) }).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
			c.events.message(m.Topic(), m.Payload(), time.Now())
		})
	if c.tls != nil {
		o.SetTLSConfig(c.tls)
	}
	return o
}

// onConnect runs after every successful connection, in its own goroutine
// started by the library.
func (s *session3) onConnect(paho.Client) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	s.subscribed(s.subscribe())
}

// subscribed reports a subscription's outcome: the device is online before
// the first Connect returns, so a Read right after it sees a live link.
func (s *session3) subscribed(err error) {
	if err != nil {
		s.cfg.events.log.Error("mqtt subscribe failed; values will not arrive until the next connection", "err", err)
	} else {
		s.cfg.events.up()
	}
	select {
	case s.first <- err:
	default: // a reconnection: nobody waits
	}
}

func (s *session3) subscribe() error {
	if len(s.cfg.filters) == 0 {
		return nil
	}
	filters := make(map[string]byte, len(s.cfg.filters))
	for _, f := range s.cfg.filters {
		filters[f] = s.cfg.qos
	}
	tok := s.client.SubscribeMultiple(filters, nil)
	if err := waitToken(context.Background(), tok, s.stop); err != nil {
		return err
	}
	st, _ := tok.(*paho.SubscribeToken)
	if st == nil {
		return nil
	}
	granted := st.Result()
	reasons := make([]byte, len(s.cfg.filters))
	for i, f := range s.cfg.filters {
		reasons[i] = granted[f]
	}
	return refusedFilters(s.cfg.filters, reasons)
}

func (s *session3) publish(ctx context.Context, topic string, payload []byte) error {
	what := "publish " + topic
	if !s.client.IsConnectionOpen() {
		// The library would queue the message until it reconnects, which
		// could deliver it after the caller's deadline.
		return linkError(ctx, what, errNotConnected)
	}
	if err := waitToken(ctx, s.client.Publish(topic, s.cfg.qos, false, payload), s.stop); err != nil {
		return linkError(ctx, what, err)
	}
	return nil
}

func (s *session3) close() {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		return
	}
	close(s.stop)
	s.client.Disconnect(uint(closeTimeout / time.Millisecond))
	s.wg.Wait()
}

// waitToken waits for a library token, the context or the session's end.
func waitToken(ctx context.Context, tok paho.Token, stop <-chan struct{}) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
		return errClosed
	}
}
