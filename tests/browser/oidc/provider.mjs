// A local OpenID provider for the single sign-on browser test: any login and password are accepted (oidc-provider's
// development screens), the login is the email, and GROUPS below gives the `groups` claim.
// Usage: PORT=9350 REDIRECT_URI=http://127.0.0.1:9300/oauth2callback node provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const GROUPS = { 'lead@corp.example': ['ld-admins'], 'member@corp.example': ['staff'] };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'ldalign',
    client_secret: 'ldalign-test-secret',
    redirect_uris: [process.env.REDIRECT_URI],
    post_logout_redirect_uris: [process.env.REDIRECT_URI], // where st.logout sends the provider back
  }],
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  conformIdTokenClaims: false, // put the requested claims in the ID token, which is what st.user shows
  pkce: { required: () => false },
  cookies: { keys: ['ldalign-test-only-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id.split('@')[0], groups: GROUPS[id] || [] };
      },
    };
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`openid provider ready on ${port}`));
