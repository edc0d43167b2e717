package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// mergeChain deep-merges config objects: chain[0] is the child, each next one
// its parent. Nested objects merge key by key; anything else (arrays,
// scalars, explicit nulls) from the child replaces the parent's. An empty or
// null config contributes nothing.
func mergeChain(chain []json.RawMessage) (json.RawMessage, error) {
	var merged any
	for i := len(chain) - 1; i >= 0; i-- {
		raw := bytes.TrimSpace(chain[i])
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		v, err := decodeAny(raw)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, v)
	}
	if merged == nil {
		return nil, nil
	}
	return marshalNoEscape(merged)
}

func deepMerge(base, over any) any {
	bm, ok1 := base.(map[string]any)
	om, ok2 := over.(map[string]any)
	if !ok1 || !ok2 {
		return over
	}
	out := make(map[string]any, len(bm)+len(om))
	for k, v := range bm {
		out[k] = v
	}
	for k, v := range om {
		if b, ok := out[k]; ok {
			out[k] = deepMerge(b, v)
		} else {
			out[k] = v
		}
	}
	return out
}

// decodeAny decodes JSON keeping numbers as json.Number, so a merge or a
// hash never rounds a 64-bit integer through float64.
func decodeAny(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// marshalNoEscape marshals without HTML escaping: configs and tables are not
// embedded in HTML, and "<" should stay "<" in an exported file.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
