package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		status int
		err    error
		want   string
	}{
		{200, nil, ""}, {303, nil, ""}, {404, nil, ErrStatus4xx}, {429, nil, ErrStatus4xx}, {503, nil, ErrStatus5xx},
		{0, fasthttp.ErrTimeout, ErrTimeout}, {0, fmt.Errorf("x: %w", context.DeadlineExceeded), ErrTimeout},
		{0, fasthttp.ErrDialTimeout, ErrTimeout},
		{0, &net.OpError{Op: "dial", Err: errors.New("connection refused")}, ErrConnection},
		{0, fasthttp.ErrConnectionClosed, ErrConnection}, {0, io.ErrUnexpectedEOF, ErrConnection},
		{0, errMalformed, ErrOther},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.err); got != tt.want {
			t.Errorf("classify(%d, %v) = %q, want %q", tt.status, tt.err, got, tt.want)
		}
	}
}

func TestJarKeepsReplacesAndDeletes(t *testing.T) {
	var j jar
	resp := &fasthttp.Response{}
	resp.Header.Add("Set-Cookie", "session=a; Path=/; HttpOnly")
	resp.Header.Add("Set-Cookie", "cart=c1")
	j.takeFrom(resp)
	resp = &fasthttp.Response{}
	resp.Header.Add("Set-Cookie", "session=b")
	resp.Header.Add("Set-Cookie", "cart=; Max-Age=-1")
	j.takeFrom(resp)
	req := &fasthttp.Request{}
	j.addTo(req)
	if got := string(req.Header.Cookie("session")); got != "b" || len(req.Header.Cookie("cart")) != 0 || len(j.names) != 1 {
		t.Fatalf("session=%q, jar %v=%v", got, j.names, j.values)
	}
}
