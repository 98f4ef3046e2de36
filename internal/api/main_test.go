package api_test

import (
	"testing"

	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
