/**
 * English mail texts, under the keys Keycloak's email message bundles use, so a translation can be
 * written against either. `{0}`, `{1}`, … are the mail's parameters in the order the template gives
 * them; `…Html` keys are HTML with the parameters escaped by the renderer.
 */
export const en: Record<string, string> = {
  emailTestSubject: '[{0}] SMTP test message',
  emailTestBody: 'This message was sent by holdfast to test the SMTP settings of realm {0}.',
  emailTestBodyHtml: '<p>This message was sent by holdfast to test the SMTP settings of realm <b>{0}</b>.</p>',
  emailVerificationSubject: 'Verify your e-mail address',
  emailVerificationBody:
    'Someone created or updated an account in {2} with this e-mail address. If it was you, open the link below to confirm the address.\n\n{0}\n\nThe link expires in {1}.\n\nIf you did not ask for this, you can ignore this message.',
  emailVerificationBodyHtml:
    '<p>Someone created or updated an account in {2} with this e-mail address. If it was you, open the link below to confirm the address.</p><p><a href="{0}">Confirm e-mail address</a></p><p>The link expires in {1}.</p><p>If you did not ask for this, you can ignore this message.</p>',
  emailUpdateConfirmationSubject: 'Confirm your new e-mail address',
  emailUpdateConfirmationBody:
    'Someone asked to change the e-mail address of your {2} account to {3}. If it was you, open the link below to confirm the new address; until then the old one stays.\n\n{0}\n\nThe link expires in {1}.\n\nIf you did not ask for this, you can ignore this message.',
  emailUpdateConfirmationBodyHtml:
    '<p>Someone asked to change the e-mail address of your {2} account to <b>{3}</b>. If it was you, open the link below to confirm the new address; until then the old one stays.</p><p><a href="{0}">Confirm new e-mail address</a></p><p>The link expires in {1}.</p><p>If you did not ask for this, you can ignore this message.</p>',
  identityProviderLinkSubject: 'Link your {1} account with {0}',
  identityProviderLinkBody:
    'Someone signed in to {1} through {0} as {2} and asked to add that {0} account to your {1} account. If it was you, open the link below to link them; from then on you can sign in to {1} through {0}.\n\n{3}\n\nThe link expires in {4}.\n\nIf you did not ask for this, ignore this message and nothing is linked.',
  identityProviderLinkBodyHtml:
    '<p>Someone signed in to {1} through {0} as <b>{2}</b> and asked to add that {0} account to your {1} account. If it was you, open the link below to link them; from then on you can sign in to {1} through {0}.</p><p><a href="{3}">Link the accounts</a></p><p>The link expires in {4}.</p><p>If you did not ask for this, ignore this message and nothing is linked.</p>',
  passwordResetSubject: 'Reset your password',
  passwordResetBody:
    'Someone asked to reset the password of your {2} account. If it was you, open the link below to choose a new password.\n\n{0}\n\nThe link expires in {1}.\n\nIf you did not ask for this, you can ignore this message: your password stays as it is.',
  passwordResetBodyHtml:
    '<p>Someone asked to reset the password of your {2} account. If it was you, open the link below to choose a new password.</p><p><a href="{0}">Choose a new password</a></p><p>The link expires in {1}.</p><p>If you did not ask for this, you can ignore this message: your password stays as it is.</p>',
  executeActionsSubject: 'Update your account',
  executeActionsBody:
    'Your administrator asks you to update your {2} account: {3}. Open the link below to start.\n\n{0}\n\nThe link expires in {1}.\n\nIf you were not expecting this, contact your administrator.',
  executeActionsBodyHtml:
    '<p>Your administrator asks you to update your {2} account: {3}. Open the link below to start.</p><p><a href="{0}">Update account</a></p><p>The link expires in {1}.</p><p>If you were not expecting this, contact your administrator.</p>',
  'requiredAction.UPDATE_PASSWORD': 'Update password',
  'requiredAction.VERIFY_EMAIL': 'Verify e-mail',
  'requiredAction.UPDATE_PROFILE': 'Update profile',
  'requiredAction.CONFIGURE_TOTP': 'Configure one-time codes',
  'requiredAction.TERMS_AND_CONDITIONS': 'Terms and conditions',
  'requiredAction.UPDATE_EMAIL': 'Update e-mail',
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} seconds',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} minutes',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} hours',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} days',
};
