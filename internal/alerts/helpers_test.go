package alerts_test

import (
	"encoding/json"
	"mime"
)

type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) decode(s string) (string, error) { return d.DecodeHeader(s) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
