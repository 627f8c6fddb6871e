/** Sign up with the emailed code, and sign in; both end with a session. */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { graphql } from '../gql';
import { useSession } from '../session-context';
import { navigate } from '../router';
import { failureOf } from '../format';
import { Field, Status } from '../widgets';

const RequestCode = graphql(`
  mutation RequestEmailVerification($email: String!) {
    requestEmailVerification(email: $email) {
      codeExpiresAt
      userErrors { code message }
    }
  }
`);
const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user { id }
      userErrors { code message field attemptsLeft }
    }
  }
`);
const LogIn = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      userErrors { code message }
    }
  }
`);

function useLogIn() {
  const { session } = useSession();
  const [logIn] = useMutation(LogIn);
  return async (email: string, password: string): Promise<string | null> => {
    const { data } = await logIn({ variables: { email, password } });
    const p = data?.logIn;
    if (!p?.accessToken || !p.refreshToken || !p.accessTokenExpiresAt) return p?.userErrors[0]?.message ?? 'Sign-in failed.';
    void session.signedIn({ accessToken: p.accessToken, accessTokenExpiresAt: p.accessTokenExpiresAt, refreshToken: p.refreshToken });
    return null;
  };
}

export function SignUpPage() {
  const [form, setForm] = useState({ email: '', code: '', password: '', name: '', phone: '', address: '' });
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [requestCode] = useMutation(RequestCode);
  const [signUp] = useMutation(SignUp);
  const logIn = useLogIn();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const sendCode = async () => {
    try {
      const { data } = await requestCode({ variables: { email: form.email } });
      const err = data?.requestEmailVerification.userErrors[0];
      setMessage(err ? { text: err.message, error: true } : { text: `Code sent to ${form.email}: check your mail.`, error: false });
    } catch (e) {
      setMessage({ text: failureOf(e).message, error: true });
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const input = { email: form.email, code: form.code, password: form.password, name: form.name, phone: form.phone || null, address: form.address || null };
      const { data } = await signUp({ variables: { input } });
      const err = data?.signUp.userErrors[0];
      if (err) return setMessage({ text: err.attemptsLeft != null ? `${err.message} (${err.attemptsLeft} tries left)` : err.message, error: true });
      const failed = await logIn(form.email, form.password);
      if (failed) return setMessage({ text: failed, error: true });
      navigate('/');
    } catch (e) {
      setMessage({ text: failureOf(e).message, error: true });
    }
  };
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email">
          <input type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        </Field>
        <button type="button" className="secondary" onClick={() => void sendCode()}>Send code</button>
        <Field label="Verification code">
          <input inputMode="numeric" autoComplete="one-time-code" required value={form.code} onChange={set('code')} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="new-password" required value={form.password} onChange={set('password')} />
        </Field>
        <Field label="Name">
          <input autoComplete="name" required value={form.name} onChange={set('name')} />
        </Field>
        <Field label="Phone">
          <input type="tel" autoComplete="tel" value={form.phone} onChange={set('phone')} />
        </Field>
        <Field label="Address">
          <input autoComplete="street-address" value={form.address} onChange={set('address')} />
        </Field>
        <button type="submit">Sign up</button>
      </form>
      <Status message={message?.text ?? null} error={message?.error} />
    </section>
  );
}

export function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const logIn = useLogIn();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const failed = await logIn(email, password);
      if (failed) return setError(failed);
      navigate('/');
    } catch (err) {
      setError(failureOf(err).message);
    }
  };
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email">
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit">Sign in</button>
      </form>
      <Status message={error} error />
    </section>
  );
}
