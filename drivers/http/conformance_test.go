package http

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// TestConformance runs the SDK's lifecycle suite against a loopback REST
// device that stores what is posted and returns it on GET.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	state := map[string]any{"temp": 21.5, "count": 3, "on": false, "label": "idle"}
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			var set map[string]any
			if err := json.NewDecoder(r.Body).Decode(&set); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			for k, v := range set {
				state[k] = v
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": state})
	})
	dev := device(`{"url": "`+rec.srv.URL+`/state", "timeout": "10s"}`,
		pt("0001", driver.Float, driver.ReadWrite, `{"path": "$.data.temp", "write": {"body": "{\"temp\": {{value}}}"}}`),
		pt("0002", driver.Int, driver.Read, `{"path": "$.data.count"}`),
		pt("0003", driver.Bool, driver.ReadWrite, `{"path": "$.data.on", "write": {"body": "{\"on\": {{value}}}"}}`),
		pt("0004", driver.String, driver.ReadWrite, `{"path": "$['data']['label']", "write": {"method": "POST", "body": "{\"label\": {{value}}}"}}`),
	)
	drivertest.RunConformance(t, New, dev)
}
