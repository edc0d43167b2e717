package mqtt

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// Reconnection backoff of MQTT 5 sessions: the first retry comes after about
// a second and the pause doubles up to reconnect_max.
const (
	backoffMin    = 500 * time.Millisecond
	backoffFirst  = time.Second
	backoffFactor = 2
)

// session5 is an MQTT 5 session on eclipse/paho.golang's autopaho, which
// keeps the connection up by itself.
type session5 struct {
	cfg    sessionConfig
	cm     *autopaho.ConnectionManager
	cancel context.CancelFunc // stops the connection manager
	first  chan error         // result of the first connection and subscription

	mu     sync.Mutex // guards closed against wg.Add racing wg.Wait
	closed bool
	wg     sync.WaitGroup
}

func (s *session5) connect(ctx context.Context) error {
	s.first = make(chan error, 1)
	run, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	what := "connect " + s.cfg.url.Redacted()
	cm, err := autopaho.NewConnection(run, s.config())
	if err != nil {
		cancel()
		return linkError(ctx, what, err)
	}
	s.cm = cm
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

// config maps the settings onto autopaho. Each connection starts a clean
// session (no session expiry), which onUp subscribes again.
func (s *session5) config() autopaho.ClientConfig {
	c := s.cfg
	u := *c.url
	return autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{&u},
		TlsCfg:                        c.tls,
		KeepAlive:                     uint16(c.keepAlive / time.Second),
		CleanStartOnInitialConnection: true,
		ReconnectBackoff:              autopaho.NewExponentialBackoff(backoffMin, c.reconnectMax, backoffFirst, backoffFactor),
		ConnectUsername:               c.username,
		ConnectPassword:               []byte(c.password),
		OnConnectionUp:                s.onUp,
		OnConnectionDown:              func() bool { c.events.down(nil); return true },
		OnConnectError:                s.onConnectError,
		Errors:                        slogPrinter{c.events.log},
		PahoErrors:                    slogPrinter{c.events.log},
		ClientConfig: paho.ClientConfig{
			ClientID:          c.clientID,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){s.onPublish},
		},
	}
}

func (s *session5) onPublish(pr paho.PublishReceived) (bool, error) {
	s.cfg.events.message(pr.Packet.Topic, pr.Packet.Payload, time.Now())
	return true, nil
}

// onConnectError reports a failed first attempt to connect; later failures
// are retried by autopaho and only logged.
func (s *session5) onConnectError(err error) {
	select {
	case s.first <- err:
	default:
		s.cfg.events.log.Debug("mqtt reconnect failed", "err", err)
	}
}

// onUp must not block, so the subscription runs in a goroutine that close
// waits for.
func (s *session5) onUp(cm *autopaho.ConnectionManager, _ *paho.Connack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.subscribed(s.subscribe(cm))
	}()
}

// subscribed reports a subscription's outcome: the device is online before
// the first Connect returns, so a Read right after it sees a live link.
func (s *session5) subscribed(err error) {
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

func (s *session5) subscribe(cm *autopaho.ConnectionManager) error {
	if len(s.cfg.filters) == 0 {
		return nil
	}
	sub := &paho.Subscribe{}
	for _, f := range s.cfg.filters {
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: s.cfg.qos})
	}
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	ack, err := cm.Subscribe(ctx, sub)
	if err != nil {
		if ack != nil {
			return refusedFilters(s.cfg.filters, ack.Reasons)
		}
		return fmt.Errorf("subscribe: %w", err)
	}
	return refusedFilters(s.cfg.filters, ack.Reasons)
}

func (s *session5) publish(ctx context.Context, topic string, payload []byte) error {
	_, err := s.cm.Publish(ctx, &paho.Publish{Topic: topic, QoS: s.cfg.qos, Payload: payload})
	if err != nil {
		return linkError(ctx, "publish "+topic, err)
	}
	return nil
}

func (s *session5) close() {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = s.cm.Disconnect(ctx) // fails when the link is already down; the socket goes either way
	s.cancel()
	<-s.cm.Done()
	s.wg.Wait()
}
