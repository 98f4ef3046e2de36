package auth

// SetVerifyHook lets a test see each password hash a sign-in checks.
func SetVerifyHook(s *Service, fn func(hash string)) { s.verifyHook = fn }
