package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specPath is docs/openapi.yaml, seen from this package's directory (where
// go test runs).
var specPath = filepath.Join("..", "..", "docs", "openapi.yaml")

// The document is loaded and validated once per test binary; every test
// shares it read-only.
var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// openAPI returns docs/openapi.yaml, loaded and validated, and a router that
// finds its operations. A document that does not load or validate fails the
// test at once.
func openAPI(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		// The printable quote is HTML; its body is checked as text.
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(specPath)
		if err != nil {
			specErr = fmt.Errorf("load %s: %w", specPath, err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			specErr = fmt.Errorf("%s is not a valid OpenAPI document: %w", specPath, err)
			return
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			specErr = fmt.Errorf("route %s: %w", specPath, err)
			return
		}
		specDoc, specRouter = doc, router
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return specDoc, specRouter
}

// checkResponse holds the checks every answer must pass: never a 500, and
// always an answer that docs/openapi.yaml documents — the route, the status
// and the body and headers of that status.
//
// The request is validated against the document too, but only to explain:
// the tests send malformed requests on purpose, so a request that breaks
// the document is expected and never fails a test by itself. What the
// server answers to it must still be documented.
func checkResponse(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s: server error %d: %s", req.Method, req.URL.Path, res.StatusCode, body)
	}
	_, router := openAPI(t)
	note, err := specMismatch(router, req, res.StatusCode, res.Header, body)
	if note != "" {
		// The server accepted what the document calls invalid: worth a
		// look (-v), though not a failure, as the document may be the
		// stricter of the two on purpose.
		t.Logf("note: %s %s answered %d to a request docs/openapi.yaml does not allow: %s",
			req.Method, req.URL.RequestURI(), res.StatusCode, note)
	}
	if err != nil {
		t.Fatalf("%s %s: %v\nstatus %d, body %s", req.Method, req.URL.RequestURI(), err, res.StatusCode, body)
	}
}

// specMismatch checks one exchange against the document. err says why the
// answer is not one the document describes; note says why the request is
// not one it allows, when the server nevertheless answered with success.
//
// Validating a body costs about a millisecond (kin-openapi compiles the
// schema on every call), so the request is validated only when its verdict
// is used: for a success answer, or to explain an answer that fails.
func specMismatch(router routers.Router, req *http.Request, status int, header http.Header, body []byte) (note string, err error) {
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		return "", fmt.Errorf("docs/openapi.yaml does not document this route: %w", err)
	}
	ctx := context.Background()
	reqBody, err := sentBody(req)
	if err != nil {
		return "", err
	}
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	reqInput := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: checkAuthentication,
		},
	}
	validateRequest := func() error {
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		return openapi3filter.ValidateRequest(ctx, reqInput)
	}
	if status < 400 {
		if reqErr := validateRequest(); reqErr != nil {
			note = reqErr.Error()
		}
	}

	resInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 status,
		Header:                 header,
		Options: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true, // an undocumented status is an error
		},
	}
	resInput.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, resInput); err != nil {
		if reqErr := validateRequest(); reqErr != nil {
			return note, fmt.Errorf("the answer does not match docs/openapi.yaml: %w\n(nor does the request: %v)", err, reqErr)
		}
		return note, fmt.Errorf("the answer does not match docs/openapi.yaml: %w", err)
	}
	return note, nil
}

// sentBody is the body a request was sent with: the client consumed
// req.Body, but http.NewRequest keeps GetBody for the readers the tests use.
func sentBody(req *http.Request) ([]byte, error) {
	if req.GetBody == nil {
		return nil, nil
	}
	b, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("reread request body: %w", err)
	}
	defer b.Close()
	return io.ReadAll(b)
}

// checkAuthentication checks that a request carries the credential of a
// security scheme of the document; whether the token is valid is the
// server's business.
func checkAuthentication(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch scheme := in.SecurityScheme; {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		h := r.Header.Get("Authorization")
		if len(h) > len("Bearer ") && strings.EqualFold(h[:len("Bearer ")], "Bearer ") {
			return nil
		}
		return errors.New("no bearer token")
	case scheme.Type == "apiKey" && scheme.In == "cookie":
		if _, err := r.Cookie(scheme.Name); err == nil {
			return nil
		}
		return fmt.Errorf("no cookie %s", scheme.Name)
	}
	return fmt.Errorf("security scheme %s %s is not checked by the tests", in.SecuritySchemeName, in.SecurityScheme.Type)
}
