/** Textos dos e-mails em português do Brasil (mesmas chaves de en.ts); chaves ausentes usam o inglês. */
export const ptBR: Record<string, string> = {
  emailTestSubject: '[{0}] Mensagem de teste SMTP',
  emailTestBody: 'Esta mensagem foi enviada pelo holdfast para testar as configurações SMTP do realm {0}.',
  emailTestBodyHtml: '<p>Esta mensagem foi enviada pelo holdfast para testar as configurações SMTP do realm <b>{0}</b>.</p>',
  emailVerificationSubject: 'Confirme seu endereço de e-mail',
  emailVerificationBody:
    'Alguém criou ou alterou uma conta em {2} com este endereço de e-mail. Se foi você, abra o link abaixo para confirmar o endereço.\n\n{0}\n\nO link expira em {1}.\n\nSe você não fez essa solicitação, pode ignorar esta mensagem.',
  emailVerificationBodyHtml:
    '<p>Alguém criou ou alterou uma conta em {2} com este endereço de e-mail. Se foi você, abra o link abaixo para confirmar o endereço.</p><p><a href="{0}">Confirmar endereço de e-mail</a></p><p>O link expira em {1}.</p><p>Se você não fez essa solicitação, pode ignorar esta mensagem.</p>',
  passwordResetSubject: 'Redefina sua senha',
  passwordResetBody:
    'Alguém pediu para redefinir a senha da sua conta em {2}. Se foi você, abra o link abaixo para escolher uma nova senha.\n\n{0}\n\nO link expira em {1}.\n\nSe você não fez essa solicitação, pode ignorar esta mensagem: sua senha continua a mesma.',
  passwordResetBodyHtml:
    '<p>Alguém pediu para redefinir a senha da sua conta em {2}. Se foi você, abra o link abaixo para escolher uma nova senha.</p><p><a href="{0}">Escolher uma nova senha</a></p><p>O link expira em {1}.</p><p>Se você não fez essa solicitação, pode ignorar esta mensagem: sua senha continua a mesma.</p>',
  executeActionsSubject: 'Atualize sua conta',
  executeActionsBody:
    'Seu administrador pede que você atualize sua conta em {2}: {3}. Abra o link abaixo para começar.\n\n{0}\n\nO link expira em {1}.\n\nSe você não esperava esta mensagem, entre em contato com o administrador.',
  executeActionsBodyHtml:
    '<p>Seu administrador pede que você atualize sua conta em {2}: {3}. Abra o link abaixo para começar.</p><p><a href="{0}">Atualizar conta</a></p><p>O link expira em {1}.</p><p>Se você não esperava esta mensagem, entre em contato com o administrador.</p>',
  'requiredAction.UPDATE_PASSWORD': 'Alterar senha',
  'requiredAction.VERIFY_EMAIL': 'Confirmar e-mail',
  'requiredAction.UPDATE_PROFILE': 'Atualizar perfil',
  'requiredAction.CONFIGURE_TOTP': 'Configurar códigos de uso único',
  'requiredAction.TERMS_AND_CONDITIONS': 'Termos e condições',
  'requiredAction.UPDATE_EMAIL': 'Alterar e-mail',
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} segundos',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} minutos',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} horas',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} dias',
};
