/** Textes des e-mails en français (mêmes clés que en.ts) ; les clés absentes reprennent l'anglais. */
export const fr: Record<string, string> = {
  emailTestSubject: '[{0}] Message de test SMTP',
  emailTestBody: 'Ce message a été envoyé par holdfast pour tester les paramètres SMTP du realm {0}.',
  emailTestBodyHtml: '<p>Ce message a été envoyé par holdfast pour tester les paramètres SMTP du realm <b>{0}</b>.</p>',
  emailVerificationSubject: 'Vérifiez votre adresse e-mail',
  emailVerificationBody:
    "Quelqu'un a créé ou modifié un compte {2} avec cette adresse e-mail. Si c'est vous, ouvrez le lien ci-dessous pour confirmer l'adresse.\n\n{0}\n\nCe lien expire dans {1}.\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
  emailVerificationBodyHtml:
    "<p>Quelqu'un a créé ou modifié un compte {2} avec cette adresse e-mail. Si c'est vous, ouvrez le lien ci-dessous pour confirmer l'adresse.</p><p><a href=\"{0}\">Confirmer l'adresse e-mail</a></p><p>Ce lien expire dans {1}.</p><p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p>",
  passwordResetSubject: 'Réinitialisez votre mot de passe',
  passwordResetBody:
    "Quelqu'un a demandé la réinitialisation du mot de passe de votre compte {2}. Si c'est vous, ouvrez le lien ci-dessous pour choisir un nouveau mot de passe.\n\n{0}\n\nCe lien expire dans {1}.\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
  passwordResetBodyHtml:
    "<p>Quelqu'un a demandé la réinitialisation du mot de passe de votre compte {2}. Si c'est vous, ouvrez le lien ci-dessous pour choisir un nouveau mot de passe.</p><p><a href=\"{0}\">Choisir un nouveau mot de passe</a></p><p>Ce lien expire dans {1}.</p><p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.</p>",
  executeActionsSubject: 'Mettez à jour votre compte',
  executeActionsBody:
    "Votre administrateur vous demande de mettre à jour votre compte {2} : {3}. Ouvrez le lien ci-dessous pour commencer.\n\n{0}\n\nCe lien expire dans {1}.\n\nSi vous ne vous attendiez pas à ce message, contactez votre administrateur.",
  executeActionsBodyHtml:
    "<p>Votre administrateur vous demande de mettre à jour votre compte {2} : {3}. Ouvrez le lien ci-dessous pour commencer.</p><p><a href=\"{0}\">Mettre à jour le compte</a></p><p>Ce lien expire dans {1}.</p><p>Si vous ne vous attendiez pas à ce message, contactez votre administrateur.</p>",
  'requiredAction.UPDATE_PASSWORD': 'Changer le mot de passe',
  'requiredAction.VERIFY_EMAIL': "Vérifier l'adresse e-mail",
  'requiredAction.UPDATE_PROFILE': 'Mettre à jour le profil',
  'requiredAction.CONFIGURE_TOTP': 'Configurer les codes à usage unique',
  'requiredAction.TERMS_AND_CONDITIONS': "Conditions d'utilisation",
  'requiredAction.UPDATE_EMAIL': "Changer l'adresse e-mail",
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} secondes',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} minutes',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} heures',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} jours',
};
