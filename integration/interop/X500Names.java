// The JVM's own answers about X.500 names, for integration/security/x509-names.test.ts to hold
// src/ensemble/x500-name.ts to. Reads base64 lines on stdin and answers one base64 line each:
//   valid     each line a name (UTF-8); answers "1" if new X500Principal(name) accepts it, else "0"
//   subject   each line a DER certificate; answers getSubjectX500Principal().getName() (UTF-8), or
//             "!" when the certificate cannot be read
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.security.auth.x500.X500Principal;

public class X500Names {
    public static void main(String[] args) throws Exception {
        boolean subjects = args.length > 0 && args[0].equals("subject");
        CertificateFactory certificates = CertificateFactory.getInstance("X.509");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            byte[] bytes = Base64.getDecoder().decode(line.trim());
            String answer;
            if (subjects) {
                try {
                    X509Certificate cert = (X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(bytes));
                    answer = cert.getSubjectX500Principal().getName();
                } catch (Exception e) {
                    answer = "!";
                }
            } else {
                try {
                    new X500Principal(new String(bytes, StandardCharsets.UTF_8));
                    answer = "1";
                } catch (IllegalArgumentException e) {
                    answer = "0";
                }
            }
            out.append(Base64.getEncoder().encodeToString(answer.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        System.out.print(out);
    }
}
