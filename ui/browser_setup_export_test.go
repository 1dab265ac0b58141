package ui

// The setup page's browser test runs the whole app, which imports ui, so it
// lives in the external package ui_test; these hand it the browser helpers
// of browser_helpers_test.go.
var (
	Browser        = browser
	NoPageProblems = noPageProblems
	Screenshot     = screenshot
)
