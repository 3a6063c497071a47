export { oneTimeCode, timeStep, base32Encode } from './one-time-code.ts';
export { newOtpCredential, newOtpSecret, openCredential, otpCredentialProblem, sealCredential, OTP_TYPE } from './otp-credential.ts';
export { groupedKey, manualKey, otpAuthUri, otpSupportedApplications } from './otp-policy.ts';
export { hasOtp, otpCredentialsOf, verifyOtp, verifySetupCode } from './verify-otp.ts';
