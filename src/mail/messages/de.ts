/** Deutsche Mailtexte (Schlüssel wie en.ts); fehlende Schlüssel kommen aus dem Englischen. */
export const de: Record<string, string> = {
  emailTestSubject: '[{0}] SMTP-Testnachricht',
  emailTestBody: 'Diese Nachricht hat holdfast gesendet, um die SMTP-Einstellungen des Realms {0} zu testen.',
  emailTestBodyHtml: '<p>Diese Nachricht hat holdfast gesendet, um die SMTP-Einstellungen des Realms <b>{0}</b> zu testen.</p>',
  emailVerificationSubject: 'Bestätigen Sie Ihre E-Mail-Adresse',
  emailVerificationBody:
    'Jemand hat mit dieser E-Mail-Adresse ein Konto bei {2} angelegt oder geändert. Wenn Sie das waren, öffnen Sie den folgenden Link, um die Adresse zu bestätigen.\n\n{0}\n\nDer Link ist {1} lang gültig.\n\nWenn Sie das nicht veranlasst haben, können Sie diese Nachricht ignorieren.',
  emailVerificationBodyHtml:
    '<p>Jemand hat mit dieser E-Mail-Adresse ein Konto bei {2} angelegt oder geändert. Wenn Sie das waren, öffnen Sie den folgenden Link, um die Adresse zu bestätigen.</p><p><a href="{0}">E-Mail-Adresse bestätigen</a></p><p>Der Link ist {1} lang gültig.</p><p>Wenn Sie das nicht veranlasst haben, können Sie diese Nachricht ignorieren.</p>',
  passwordResetSubject: 'Passwort zurücksetzen',
  passwordResetBody:
    'Jemand möchte das Passwort Ihres Kontos bei {2} zurücksetzen. Wenn Sie das waren, öffnen Sie den folgenden Link, um ein neues Passwort festzulegen.\n\n{0}\n\nDer Link ist {1} lang gültig.\n\nWenn Sie das nicht veranlasst haben, können Sie diese Nachricht ignorieren: Ihr Passwort bleibt unverändert.',
  passwordResetBodyHtml:
    '<p>Jemand möchte das Passwort Ihres Kontos bei {2} zurücksetzen. Wenn Sie das waren, öffnen Sie den folgenden Link, um ein neues Passwort festzulegen.</p><p><a href="{0}">Neues Passwort festlegen</a></p><p>Der Link ist {1} lang gültig.</p><p>Wenn Sie das nicht veranlasst haben, können Sie diese Nachricht ignorieren: Ihr Passwort bleibt unverändert.</p>',
  executeActionsSubject: 'Aktualisieren Sie Ihr Konto',
  executeActionsBody:
    'Ihr Administrator bittet Sie, Ihr Konto bei {2} zu aktualisieren: {3}. Öffnen Sie den folgenden Link, um zu beginnen.\n\n{0}\n\nDer Link ist {1} lang gültig.\n\nWenn Sie damit nicht gerechnet haben, wenden Sie sich an Ihren Administrator.',
  executeActionsBodyHtml:
    '<p>Ihr Administrator bittet Sie, Ihr Konto bei {2} zu aktualisieren: {3}. Öffnen Sie den folgenden Link, um zu beginnen.</p><p><a href="{0}">Konto aktualisieren</a></p><p>Der Link ist {1} lang gültig.</p><p>Wenn Sie damit nicht gerechnet haben, wenden Sie sich an Ihren Administrator.</p>',
  'requiredAction.UPDATE_PASSWORD': 'Passwort ändern',
  'requiredAction.VERIFY_EMAIL': 'E-Mail-Adresse bestätigen',
  'requiredAction.UPDATE_PROFILE': 'Profil aktualisieren',
  'requiredAction.CONFIGURE_TOTP': 'Einmalcodes einrichten',
  'requiredAction.TERMS_AND_CONDITIONS': 'Nutzungsbedingungen',
  'requiredAction.UPDATE_EMAIL': 'E-Mail-Adresse ändern',
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} Sekunden',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} Minuten',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} Stunden',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} Tage',
};
